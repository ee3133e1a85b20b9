app_name = "referrals"

# The carer's prescription and the referral inbox arrive with issue 4.
urlpatterns: list = []
