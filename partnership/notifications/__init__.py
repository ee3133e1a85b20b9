"""Notifications, the core's: the outbox, its delivery, GOV.UK Notify, the relay, the digest and the in-app list.

The apps above (organisations, referrals) decide who is told what about their own events and write rows
through `outbox`; they register with `registry` how to describe those rows and reach the recipients they
own. Nothing here imports them.
"""
