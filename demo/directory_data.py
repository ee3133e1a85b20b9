"""Word lists and listing templates for the demo partnership (demo/directory.py).

Every organisation, person and service here is invented. Town and council names are real places so the
directory reads like a real county's; phone numbers come from Ofcom's ranges reserved for drama
(01632 960xxx, 0808 157 0xxx, 07700 900xxx), so none of them rings a real person, and every email
address and website is at a reserved .example domain.
"""

from __future__ import annotations

from dataclasses import dataclass

# Postcode district -> (town, locality: the borough or district the local groups are named after).
DISTRICTS: dict[str, tuple[str, str]] = {
    "GU1": ("Guildford", "Guildford"), "GU2": ("Guildford", "Guildford"), "GU3": ("Worplesdon", "Guildford"),
    "GU4": ("Merrow", "Guildford"), "GU5": ("Shere", "Guildford"), "GU6": ("Cranleigh", "Waverley"),
    "GU7": ("Godalming", "Waverley"), "GU8": ("Milford", "Waverley"), "GU9": ("Farnham", "Waverley"),
    "GU10": ("Frensham", "Waverley"), "GU15": ("Camberley", "Surrey Heath"), "GU16": ("Frimley", "Surrey Heath"),
    "GU17": ("Blackwater", "Surrey Heath"), "GU18": ("Lightwater", "Surrey Heath"),
    "GU19": ("Bagshot", "Surrey Heath"), "GU20": ("Windlesham", "Surrey Heath"), "GU21": ("Woking", "Woking"),
    "GU22": ("Woking", "Woking"), "GU23": ("Send", "Guildford"), "GU24": ("Chobham", "Surrey Heath"),
    "GU25": ("Virginia Water", "Runnymede"), "GU26": ("Hindhead", "Waverley"), "GU27": ("Haslemere", "Waverley"),
    "KT1": ("Kingston", "Kingston"), "KT2": ("Kingston", "Kingston"), "KT3": ("New Malden", "Kingston"),
    "KT4": ("Worcester Park", "Epsom and Ewell"), "KT5": ("Surbiton", "Kingston"), "KT6": ("Tolworth", "Kingston"),
    "KT7": ("Thames Ditton", "Elmbridge"), "KT8": ("East Molesey", "Elmbridge"), "KT9": ("Chessington", "Kingston"),
    "KT10": ("Esher", "Elmbridge"), "KT11": ("Cobham", "Elmbridge"), "KT12": ("Walton-on-Thames", "Elmbridge"),
    "KT13": ("Weybridge", "Elmbridge"), "KT14": ("West Byfleet", "Woking"), "KT15": ("Addlestone", "Runnymede"),
    "KT16": ("Chertsey", "Runnymede"), "KT17": ("Epsom", "Epsom and Ewell"), "KT18": ("Epsom", "Epsom and Ewell"),
    "KT19": ("Ewell", "Epsom and Ewell"), "KT20": ("Tadworth", "Reigate and Banstead"),
    "KT21": ("Ashtead", "Mole Valley"), "KT22": ("Leatherhead", "Mole Valley"), "KT23": ("Bookham", "Mole Valley"),
    "KT24": ("East Horsley", "Guildford"), "RH1": ("Redhill", "Reigate and Banstead"),
    "RH2": ("Reigate", "Reigate and Banstead"), "RH3": ("Betchworth", "Mole Valley"),
    "RH4": ("Dorking", "Mole Valley"), "RH5": ("Capel", "Mole Valley"), "RH6": ("Horley", "Reigate and Banstead"),
    "RH7": ("Lingfield", "Tandridge"), "RH8": ("Oxted", "Tandridge"), "RH9": ("Godstone", "Tandridge"),
    "RH10": ("Crawley", "Crawley"), "TW15": ("Ashford", "Spelthorne"), "TW16": ("Sunbury-on-Thames", "Spelthorne"),
    "TW17": ("Shepperton", "Spelthorne"), "TW18": ("Staines-upon-Thames", "Spelthorne"),
    "TW19": ("Stanwell", "Spelthorne"), "TW20": ("Egham", "Runnymede"), "CR3": ("Caterham", "Tandridge"),
    "CR5": ("Chipstead", "Reigate and Banstead"), "CR6": ("Warlingham", "Tandridge"),
    "SM7": ("Banstead", "Reigate and Banstead"),
}

# The larger towns, home to more than one local group.
MAIN_DISTRICTS = ["GU1", "GU21", "GU9", "GU15", "GU7", "KT17", "KT12", "KT13", "KT22", "RH1", "RH2", "RH4", "TW18"]

# Languages other than English that services in these districts most often offer.
DISTRICT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "GU21": ("ur", "pa", "bn"), "GU22": ("ur", "pa", "hi"), "GU15": ("ne",), "GU16": ("ne",), "GU17": ("ne",),
    "TW15": ("pa", "pl", "hi"), "TW18": ("pa", "pl", "ur"), "TW19": ("pa", "pl", "so"), "RH1": ("pl", "ro", "ne"),
    "RH6": ("pl", "pt"), "KT1": ("ar", "fa", "ta"), "KT2": ("ar", "fa"), "KT3": ("ta", "zh"), "KT9": ("ta",),
    "RH10": ("pa", "pl", "pt"), "KT17": ("pl", "es"), "KT12": ("pl", "uk"),
}

STREETS = [
    "High Street", "Station Road", "Church Street", "London Road", "Portsmouth Road", "Victoria Road",
    "Mill Lane", "Park Road", "Bridge Street", "West Street", "East Street", "Castle Street", "The Parade",
    "Meadow Way", "Kings Road", "Queens Road", "York Road", "Albert Road", "Grove Road", "Chertsey Road",
    "Guildford Road", "Brighton Road", "Epsom Road", "Oak Tree Close", "Fairfield Avenue", "Beech Walk",
    "Springfield Road", "Manor Road", "Heath Road", "Commercial Way", "The Green", "Hillside", "Orchard Way",
]

# Where groups meet; {town} is the venue's town.
VENUES = [
    "{town} Community Centre", "{town} Library", "St Mary's Church Hall, {town}", "{town} Methodist Church",
    "{town} Baptist Church Hall", "{town} Leisure Centre", "{town} Village Hall", "{town} Memorial Hall",
    "The Oak Room, {town} Community Hub", "{town} United Reformed Church", "The Wellbeing Centre, {town}",
    "{town} Scout Hut", "Christ Church Centre, {town}",
]

FIRST_NAMES = [
    "Sarah", "James", "Priya", "Tom", "Helen", "Mohammed", "Claire", "David", "Aisha", "Rachel", "Gareth",
    "Joanna", "Nadia", "Peter", "Kirsty", "Andrew", "Fiona", "Hannah", "Marek", "Lucy", "Sunita", "Ben",
    "Alison", "Chloe", "Rob", "Yasmin", "Simon", "Beth", "Anita", "Liam", "Carol", "Tariq", "Gemma",
]
LAST_NAMES = [
    "Holloway", "Patel", "Morgan", "Whitfield", "Khan", "Brooks", "Ellison", "Fraser", "Kowalski", "Singh",
    "Ashdown", "Carver", "Dunmore", "Pennington", "Rahman", "Thornton", "Abbott", "Greenwood", "Lister",
    "Okafor", "Hartley", "Mensah", "Sutton", "Varga", "Begum", "Ransome", "Elwood", "Chaudhry", "Tranter",
]

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

OFFICE_HOURS = [
    "Monday to Friday 9am to 5pm",
    "Monday to Friday 9am to 4:30pm",
    "Monday to Thursday 9am to 5pm, Friday 9am to 4pm",
    "Monday to Friday 9:30am to 3:30pm",
    "Monday to Friday 9am to 5pm; Tuesdays until 7pm",
    "Weekdays 10am to 4pm, by appointment",
]

FEES = [
    "£5 a session, reduced for carers on benefits",
    "£3 including refreshments",
    "£15 a month membership; first month free",
    "Pay what you can; no one is turned away",
]

# Phrases for "carers of ..." by condition group slug (organisations/migrations/0003).
CONDITION_PHRASES: dict[str, str] = {
    "dementia": "someone living with dementia",
    "mental-health": "someone with a mental health condition",
    "learning-disability": "someone with a learning disability",
    "autism": "an autistic child or adult",
    "physical-disability": "someone with a physical disability",
    "long-term-condition": "someone with a long-term condition such as Parkinson's, MS or COPD",
    "cancer": "someone with cancer",
    "end-of-life": "someone nearing the end of their life",
    "substance-misuse": "someone who misuses drugs or alcohol",
    "frailty": "an older or frail relative",
    "stroke": "someone who has had a stroke",
    "sensory-impairment": "someone with sight or hearing loss",
}


@dataclass(frozen=True)
class ServiceTemplate:
    """A listing; {town}, {area}, {org}, {venue}, {day} and {for_whom} are filled in per service.

    delivery letters: P in person, H home visit, T by phone, O online.
    """

    need: str
    name: str
    description: str
    delivery: str = "P"
    carer_ages: str = "adults"
    ages: tuple[int | None, int | None] = (18, None)
    conditions: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    fee: str = ""
    hours: str = ""
    whole_area: bool | None = None  # None: as the organisation reaches
    helpline: bool = False


T = ServiceTemplate

# Listings any voluntary or community group may run, by the need they mainly meet.
GENERIC_SERVICES: list[ServiceTemplate] = [
    # Breaks and respite
    T("breaks", "{area} Carers' Breaks Service",
      "Planned respite for unpaid carers in {area}. We arrange replacement care at home or a place at a local "
      "day service so you can take a regular break, and help you plan longer breaks through the year. Open to "
      "carers{for_whom}.", delivery="H", also=("breaks-short",)),
    T("breaks", "Time for You Breaks, {town}",
      "Short, regular breaks for carers{for_whom}: a trained care worker looks after the person you care for "
      "for up to four hours a fortnight while you do something for yourself. Respite is arranged around you "
      "and booked a month ahead.", delivery="H", fee="£12 an hour; a carers' grant can cover the cost"),
    T("breaks-sitting", "{town} Sitting Service",
      "Trained, DBS-checked volunteers sit with the person you care for at home for up to three hours a week, "
      "so you can get out, see friends or go to your own appointments. Regular respite for carers{for_whom} "
      "living in and around {town}.", delivery="H"),
    T("breaks-sitting", "Evening and Weekend Sitters, {area}",
      "Paid, experienced sitters cover evenings and weekends so you can have a night out, a lie-in or time "
      "with the rest of the family. A home visit first matches you with the same sitter each time. Carers can "
      "pay with a carer's personal budget.", delivery="H", fee="£18 an hour; free with a carer's personal budget"),
    T("breaks-sitting", "Dementia Sitting Service, {town}",
      "Sitters trained in dementia care give carers of someone living with dementia a few hours' respite at "
      "home each week. We keep to the person's routine and interests, and send a short note after each visit.",
      delivery="H", conditions=("dementia",)),
    T("breaks-short", "Short Breaks for Carers, {area}",
      "Carers in {area} can plan a short break: a night or two away, a holiday with or without the person you "
      "care for, or replacement care while you go. We help you plan it, find funding and arrange respite in a "
      "local care home.", delivery="H", also=("money-grants",)),
    T("breaks-short", "{town} Holiday and Respite Breaks",
      "Accessible holidays and respite stays for carers and the people they care for at partner hotels on the "
      "south coast, with personal care on hand so you can both have a real break.", delivery="P",
      fee="From £95 a night; grants can cover part of the cost"),
    T("breaks-day", "{town} Day Centre",
      "A friendly day centre at {venue}, open weekdays, with lunch, activities, gentle exercise and outings "
      "for older people, including people with dementia. While the person you care for enjoys the day you get "
      "a regular break. Door-to-door transport can be arranged.", conditions=("dementia", "frailty"),
      fee="£35 a day including lunch and transport", hours="Monday to Friday 10am to 3:30pm"),
    T("breaks-day", "{town} Activity Club",
      "A weekly club at {venue} for adults with a learning disability or autism: cooking, music, sport and "
      "trips out. Members make friends and learn new skills, and their families and carers get some respite.",
      conditions=("learning-disability", "autism"), fee="£10 a session", hours="{day}s 10am to 3pm"),
    T("breaks-day", "Lunch Club at {venue}",
      "A two-course lunch and good company every {day} for older people, including people with memory "
      "problems. Carers can drop off the person they care for and take a few hours for themselves, or stay "
      "and meet other carers.", fee="£6 for lunch", hours="{day}s 11:30am to 2:30pm", conditions=("frailty",)),
    # Emotional support and counselling
    T("emotional-support", "Carers' Support Line, {area}",
      "Talk to someone who understands. Our support workers listen, help you make sense of how you feel and "
      "talk through what could help, from counselling and peer support to a break from caring. Call or book "
      "a video chat.", delivery="TO", carer_ages="all", ages=(None, None)),
    T("emotional-support", "{town} Carers' Drop-in",
      "Come to our drop-in at {venue} for a cup of tea, emotional support and a chat with a carer support "
      "worker. No appointment needed; bring the person you care for if you like.", hours="{day}s 10am to 12 noon"),
    T("emotional-counselling", "Counselling for Carers, {area}",
      "Up to eight one-to-one sessions with a qualified counsellor for unpaid carers{for_whom}, face to face "
      "at {venue}, by phone or online. Counselling can help with stress, low mood, guilt, anger, loss and "
      "changes in relationships.", delivery="PTO"),
    T("emotional-counselling", "{town} Talking Space",
      "Low-cost counselling for adults, including many carers, at {venue}. Short-term and open-ended "
      "counselling with qualified and trainee counsellors; evening appointments available.", delivery="PO",
      fee="£10 to £40 a session, depending on income", hours="Monday to Thursday 9am to 9pm"),
    T("emotional-counselling", "Young People's Counselling, {area}",
      "Free, confidential counselling for young people aged 11 to 18, including young carers, at school, at "
      "{venue} or online. Young people can refer themselves.", delivery="PO", carer_ages="young",
      ages=(11, 18), also=("young-carers",)),
    T("emotional-listening", "{area} Befriending for Carers",
      "A trained volunteer befriender calls or visits you every week to chat, listen and keep you company. "
      "Befriending helps carers{for_whom} who feel isolated or lonely.", delivery="HT"),
    T("emotional-listening", "Check-in Calls for Carers, {area}",
      "A friendly weekly phone call from the same volunteer for carers in {area} who would like someone to "
      "talk to. Calls are at a time that suits you and last as long as you like.", delivery="T"),
    # Carer's assessment
    T("carers-assessment", "Carer's Assessment, {area}",
      "If you look after someone you have a right to a carer's assessment under the Care Act 2014. We carry "
      "out assessments in {area} on behalf of Surrey County Council: we talk about your own needs and "
      "wellbeing, and agree support such as breaks, a carer's personal budget or an emergency plan.",
      delivery="HP", carer_ages="all", ages=(16, None)),
    # Information and advice
    T("information-advice", "{area} Carers' Information Service",
      "Clear, practical information and advice for unpaid carers in {area}: what support there is, how to "
      "get a carer's assessment, your rights, benefits, and understanding the condition of the person you "
      "care for. Call, email or drop in at {venue}.", delivery="PTO", carer_ages="all", ages=(None, None)),
    T("information-advice", "Carers' Advice Surgery, {town}",
      "A monthly advice surgery at {venue}: book a 30-minute appointment with an adviser to talk through care "
      "options, paying for care, benefits and where to find help locally.",
      hours="Second {day} of the month, 10am to 1pm"),
    T("information-advice", "Family Carers' Information, {area}",
      "Information and advice for families and carers{for_whom}: understanding the diagnosis, what to expect, "
      "services in {area} and how to plan ahead. Information packs, phone advice and monthly talks.",
      delivery="PT", carer_ages="all", ages=(None, None)),
    # Health and wellbeing
    T("health-wellbeing", "Carers' Wellbeing Programme, {area}",
      "Free wellbeing activities for carers: yoga, mindfulness, walking groups and relaxation sessions at "
      "{venue} and online, to help you look after your own health while caring.", delivery="PO"),
    T("health-wellbeing", "{town} Carers' Health Walks",
      "Gentle, led walks of 30 to 60 minutes around {town}, followed by a cuppa. A chance for carers to get "
      "some exercise and fresh air and meet others.", hours="{day}s 10am", carer_ages="all", ages=(None, None)),
    T("health-wellbeing", "Complementary Therapies for Carers, {town}",
      "Massage, reflexology and reiki for carers at {venue}. Carers can have six sessions a year to relax and "
      "recharge.", fee="£10 a session"),
    # Money, benefits and grants
    T("money", "Carers' Money Advice, {area}",
      "Make sure you get everything you are entitled to. Our advisers check your benefits, including Carer's "
      "Allowance and the benefits of the person you care for, help with forms and appeals, and look at grants "
      "and help with bills.", delivery="PTO", also=("money-benefits",)),
    T("money-benefits", "{town} Benefits Advice",
      "Free, confidential benefits advice: full benefits checks, help claiming Carer's Allowance, Attendance "
      "Allowance, PIP and Universal Credit, and support with mandatory reconsiderations and tribunals. "
      "Appointments at {venue} or by phone.", delivery="PT", carer_ages="all", ages=(16, None)),
    T("money-benefits", "Benefits Check for Carers, {area}",
      "A free benefits check by phone for carers in {area}, done in about 45 minutes. Many carers miss out on "
      "Carer's Allowance or the carer element of Universal Credit; we help you claim.", delivery="T"),
    T("money-grants", "{area} Carers' Grants",
      "One-off grants of up to £300 for unpaid carers to spend on something that improves their wellbeing or "
      "gives them a break: a short break, a course, gym membership, a laptop or a household item. Apply with "
      "help from our team at {venue}, or through your carer support worker.", also=("breaks-short",)),
    T("money-grants", "{org} Hardship Fund",
      "Small emergency grants for carers in financial hardship in {area}: help with fuel bills, food and "
      "essential household items. Apply through a support worker, social worker or GP, or see us at {venue}."),
    # Training and skills
    T("training", "Caring with Confidence, {area}",
      "Free courses for carers: moving and handling, first aid, medication, looking after yourself and "
      "planning ahead. Courses run at {venue} and online in the evenings.", delivery="PO"),
    T("training", "Understanding Dementia Course, {town}",
      "A free four-week course for family carers of someone with dementia: how dementia progresses, "
      "communication, behaviour that challenges, and planning ahead. Meet other carers on the course.",
      conditions=("dementia",), hours="Four {day} evenings, 6:30pm to 8:30pm"),
    T("training", "Digital Skills for Carers, {town}",
      "One-to-one help with smartphones, tablets and video calls, online shopping, repeat prescriptions and "
      "the NHS App, at {venue} or at home. Tablets can be loaned.", delivery="PH"),
    # Peer support groups
    T("peer-support", "{town} Carers' Support Group",
      "A friendly group for carers{for_whom} meeting at {venue}. Share experiences, swap tips and make "
      "friends with people who understand, sometimes with a guest speaker.",
      hours="First {day} of the month, 10:30am to 12:30pm"),
    T("peer-support", "{town} Carers' Coffee Morning",
      "A relaxed coffee morning at {venue} where carers{for_whom} can meet, chat and find out about local "
      "support. Drop in; there is no need to book.", hours="{day}s 10am to 12 noon", fee="£2 for refreshments"),
    T("peer-support", "Online Carers' Café, {area}",
      "A relaxed online meet-up for carers{for_whom} on Zoom: a chance to talk, laugh and share tips with "
      "other carers without leaving home.", delivery="O", hours="{day}s 7:30pm to 8:30pm"),
    T("peer-support", "{town} Memory Café",
      "A monthly memory café at {venue} for people living with dementia and their carers: music, "
      "reminiscence, refreshments and peer support, with information from a dementia adviser.",
      conditions=("dementia",), hours="Third {day} of the month, 2pm to 4pm", carer_ages="all",
      ages=(None, None)),
    # Young carers
    T("young-carers", "{area} Young Carers",
      "Support for young carers aged 6 to 18 in {area} who help look after someone at home: one-to-one "
      "support, young carers' assessments, clubs and trips, and help at school. Young carers can refer "
      "themselves, or a parent, school or professional can refer.", delivery="PH", carer_ages="young",
      ages=(6, 18)),
    T("young-carers", "Young Adult Carers, {area}",
      "For young adult carers aged 16 to 25: support with college, university, work and money, peer groups, "
      "and a break from caring.", delivery="PO", carer_ages="all", ages=(16, 25),
      hours="Tuesdays and Thursdays 4pm to 8pm"),
    T("young-carers-school", "Young Carers in Schools, {area}",
      "Our young carers' workers help schools in {area} find and support young carers: staff training, a "
      "named young carers' champion, lunchtime drop-ins and the Young Carers' Card.", carer_ages="young",
      ages=(5, 18), hours="School term time"),
    T("young-carers-activities", "{town} Young Carers Club",
      "A fortnightly club at {venue} for young carers aged 8 to 17: games, crafts, cooking, and trips in the "
      "holidays. Time to have fun and meet others in the same situation.", carer_ages="young", ages=(8, 17),
      hours="Alternate {day}s 4:30pm to 6:30pm, term time"),
    T("young-carers-activities", "Young Carers' Holiday Activities, {area}",
      "Days out, sports and creative activities in every school holiday for young carers aged 8 to 18, with "
      "transport from home.", carer_ages="young", ages=(8, 18), hours="School holidays"),
    # Work
    T("work", "Working Carers Support, {area}",
      "Help to juggle work and caring: advice on your rights at work, flexible working and carer's leave, and "
      "talking to your employer. Evening phone appointments and a monthly online network for working carers.",
      delivery="TO"),
    T("work", "Back to Work for Carers, {town}",
      "One-to-one support and a short course for carers who want to return to work, study or volunteering: "
      "CVs, interview skills, confidence, and finding a role that fits around caring.", delivery="PO"),
    # Practical help at home
    T("practical-help", "{area} Handyperson Service",
      "Small repairs, safety checks, grab rails and key safes fitted by our handypersons for older people, "
      "disabled people and carers.", delivery="H", fee="£15 an hour plus materials", carer_ages="all",
      ages=(None, None)),
    T("practical-help", "{town} Good Neighbours",
      "Volunteers help with shopping, lifts to appointments, collecting prescriptions and small jobs around "
      "the home, for carers and the people they care for.", delivery="H",
      fee="Lifts: a contribution of 45p a mile", carer_ages="all", ages=(None, None)),
    T("practical-help", "Equipment and Technology Advice, {area}",
      "Advice on equipment, telecare, falls alarms and technology that make caring at home safer and easier, "
      "with home visits from a trusted assessor.", delivery="H"),
    # Planning for emergencies
    T("emergency-planning", "Carer's Emergency Plan, {area}",
      "We help you write an emergency plan saying who to contact and what the person you care for needs if "
      "you are suddenly unable to care, and give you a Carer's Emergency Card.", delivery="H"),
    T("emergency-planning", "What If? Planning Session, {town}",
      "A workshop at {venue} for carers to plan ahead for emergencies and the future: emergency plans, Lasting "
      "Power of Attorney, and who will care when you no longer can.", also=("legal",),
      hours="Quarterly, {day} mornings"),
    # End of life and bereavement
    T("end-of-life", "{town} Hospice Carers' Support",
      "Support for families and carers of someone nearing the end of life: practical and emotional support at "
      "home, a hospice sitting service and a carers' group, and bereavement counselling afterwards.",
      delivery="HP", conditions=("end-of-life", "cancer"), carer_ages="all", ages=(None, None),
      also=("breaks-sitting",)),
    T("end-of-life", "{area} Bereavement Support",
      "One-to-one bereavement support and a monthly bereavement café at {venue} for former carers and anyone "
      "grieving the person they cared for.", delivery="PT", carer_ages="all", ages=(None, None)),
    # Hospital admission and discharge
    T("hospital-discharge", "Home from Hospital, {area}",
      "Practical and emotional support for carers and patients in the first six weeks after someone comes "
      "home from hospital: settling in, shopping, benefits, and a check-in call each week.", delivery="H"),
    # Housing
    T("housing", "{area} Housing Advice",
      "Advice for carers on housing: tenancy rights, staying in your home after the person you cared for "
      "dies, moving to a more suitable home, adaptations, and preventing homelessness.", delivery="PT"),
    T("housing", "Housing Options for Older People, {area}",
      "Independent advice on housing options in later life: adapting your home, sheltered and extra care "
      "housing, and moving nearer family.", delivery="TP", conditions=("frailty",)),
    # Legal matters
    T("legal", "Lasting Power of Attorney Clinic, {town}",
      "Free 45-minute appointments at {venue} with a volunteer solicitor or trained adviser on Lasting Power "
      "of Attorney, deputyship, wills and making decisions for someone who lacks capacity.",
      hours="Last {day} of the month, by appointment"),
    T("legal", "{area} Legal Advice for Carers",
      "Legal advice for carers on wills, trusts, Lasting Power of Attorney and applying to the Court of "
      "Protection.", delivery="PT", fee="First appointment free, then fixed fees from £150"),
]


@dataclass(frozen=True)
class Theme:
    """What a kind of voluntary or community group does: its names, needs and who it is for."""

    names: tuple[str, ...]
    needs: tuple[str, ...]
    about: str
    kind: str = "charity"
    conditions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    weight: int = 1  # how common such groups are, relative to the others
    every_locality: bool = False  # one per locality, named after it, before the random ones


THEMES: list[Theme] = [
    Theme(("{area} Dementia Carers Support", "{town} Memory Café Group"),
          ("peer-support", "breaks-day", "training", "information-advice", "breaks-sitting"),
          "Supports people living with dementia and the family and friends who care for them.",
          conditions=("dementia",), every_locality=True),
    Theme(("{area} Carers' Sitting Scheme", "{town} Home Sitters"),
          ("breaks-sitting", "breaks", "breaks-short", "emotional-listening"),
          "Gives unpaid carers regular breaks with trained sitters and replacement carers.", every_locality=True),
    Theme(("{area} Befrienders", "{town} Friendship Link"),
          ("emotional-listening", "practical-help", "peer-support", "breaks-sitting"),
          "Volunteers offering friendship, calls and visits to people who feel isolated, including carers.",
          kind="community_group", weight=2),
    Theme(("{area} Counselling Service", "{town} Talking Space"),
          ("emotional-counselling", "emotional-support", "health-wellbeing"),
          "Affordable counselling for adults and young people, with a service for carers."),
    Theme(("{area} Money Advice Centre", "{town} Debt and Benefits Advice"),
          ("money-benefits", "money", "money-grants", "housing", "legal"),
          "Free, independent advice on benefits, debt, housing and legal problems.", weight=2),
    Theme(("{area} Young Carers Project", "{town} Youth Project"),
          ("young-carers-activities", "young-carers", "emotional-counselling", "young-carers-school"),
          "Youth work and support for children and young people, including young carers.", weight=2),
    Theme(("{area} Mental Health Carers Network", "{town} Wellbeing Hub"),
          ("peer-support", "emotional-support", "information-advice", "training"),
          "Support for people affected by mental ill health and the family and friends who care for them.",
          conditions=("mental-health",)),
    Theme(("{area} Parent Carers Forum", "{town} Autism Family Support"),
          ("peer-support", "breaks-day", "information-advice", "training"),
          "Run by and for parent carers of children and adults with a learning disability or autism.",
          conditions=("learning-disability", "autism")),
    Theme(("{area} Stroke Club",), ("peer-support", "breaks-day", "health-wellbeing"),
          "A club for stroke survivors and their carers: exercise, speech practice and friendship.",
          kind="community_group", conditions=("stroke",)),
    Theme(("{town} Hospice", "{area} Hospice at Home"),
          ("end-of-life", "emotional-counselling", "breaks-sitting"),
          "Specialist palliative and end of life care at home and in the hospice, and support for families.",
          conditions=("end-of-life", "cancer")),
    Theme(("{area} Bereavement Service", "{town} Bereavement Café"), ("end-of-life", "peer-support"),
          "Bereavement support for adults, including former carers.", kind="community_group"),
    Theme(("{area} Voluntary Action", "{town} Community Transport"),
          ("practical-help", "hospital-discharge", "information-advice"),
          "Volunteer drivers, good neighbour schemes and help at home for people in the community."),
    Theme(("{area} Older People's Forum", "{town} Day Centre Trust"),
          ("breaks-day", "breaks-sitting", "health-wellbeing", "peer-support", "housing"),
          "Day centres, lunch clubs and activities for older people and their carers.", conditions=("frailty",)),
    Theme(("{area} Advice Centre", "{town} Community Law Clinic"),
          ("legal", "information-advice", "housing", "work"),
          "Free advice on rights at work, housing, wills and Lasting Power of Attorney."),
    Theme(("{town} Carers' Wellbeing Group", "{area} Arts for Carers"),
          ("health-wellbeing", "peer-support", "training"),
          "Creative and wellbeing activities for unpaid carers.", kind="community_group"),
    Theme(("{town} Islamic Centre Carers' Circle", "{town} Gurdwara Seva Carers"),
          ("peer-support", "emotional-listening", "information-advice"),
          "A faith community group supporting families who care for someone at home.", kind="community_group",
          languages=("ur", "pa", "bn", "hi")),
    Theme(("{area} Sight and Hearing Support",), ("practical-help", "information-advice", "peer-support"),
          "Support, equipment advice and groups for people with sight or hearing loss, and their families.",
          conditions=("sensory-impairment",), languages=("bfi",)),
    Theme(("{area} Parkinson's and MS Carers Group", "{town} Long-term Conditions Support"),
          ("peer-support", "information-advice", "health-wellbeing"),
          "Peer support and information for people with long-term neurological conditions and their carers.",
          kind="community_group", conditions=("long-term-condition", "physical-disability")),
    Theme(("{area} Family Support for Drug and Alcohol Use",), ("emotional-support", "peer-support"),
          "Confidential support for families affected by someone else's drug or alcohol use.",
          conditions=("substance-misuse",)),
    Theme(("{area} Working Carers Network",), ("work", "training", "peer-support"),
          "A network for carers who work or want to return to work.", kind="community_group"),
    Theme(("{town} Digital Buddies",), ("training", "practical-help"),
          "Volunteers helping people get online and use technology with confidence.", kind="community_group"),
    Theme(("{area} Housing Advice Trust",), ("housing", "legal", "money-benefits"),
          "Independent housing advice and advocacy."),
    Theme(("{area} Emergency Carers Support",), ("emergency-planning", "breaks-short", "practical-help"),
          "Helps carers plan for emergencies and arranges cover when they cannot care."),
    Theme(("{area} Hospital Carers Link",), ("hospital-discharge", "emotional-listening"),
          "Volunteers supporting carers and patients when someone goes into or comes out of hospital."),
]

# (name, home district): the demo's GP practices; the first is the demo GP's.
GP_PRACTICES = [
    ("Riverside Medical Practice", "GU1"), ("The Oaks Surgery", "GU2"), ("Merrow Park Surgery", "GU4"),
    ("Shere Village Practice", "GU5"), ("Cranleigh Common Medical Centre", "GU6"),
    ("Godalming Wharf Surgery", "GU7"), ("Milford Green Practice", "GU8"),
    ("Farnham Castle Street Surgery", "GU9"), ("Camberley Heath Medical Centre", "GU15"),
    ("Frimley Green Surgery", "GU16"), ("Lightwater Village Practice", "GU18"), ("Bagshot Park Surgery", "GU19"),
    ("Woking Canalside Medical Practice", "GU21"), ("Maybury Health Centre", "GU22"),
    ("Send and Ripley Surgery", "GU23"), ("Haslemere Hillside Practice", "GU27"),
    ("Kingston Bridge Surgery", "KT1"), ("New Malden Broadway Practice", "KT3"),
    ("Surbiton Grove Medical Centre", "KT6"), ("Hurst Park Surgery", "KT8"), ("Esher Green Practice", "KT10"),
    ("Walton Bridge Medical Centre", "KT12"), ("Weybridge Heath Surgery", "KT13"),
    ("Addlestone Moor Practice", "KT15"), ("Chertsey Abbey Surgery", "KT16"),
    ("Epsom Downs Medical Centre", "KT18"), ("Ewell Village Surgery", "KT19"),
    ("Leatherhead Mill Practice", "KT22"), ("Redhill Brook Surgery", "RH1"),
    ("Reigate Priory Medical Centre", "RH2"), ("Dorking Deepdene Practice", "RH4"),
    ("Horley Lakeside Surgery", "RH6"), ("Oxted Hurst Green Practice", "RH8"),
    ("Staines Bridge Medical Centre", "TW18"), ("Ashford Common Surgery", "TW15"),
    ("Caterham Valley Surgery", "CR3"),
]

# (trust, hospital site, home district, ODS-like code)
HOSPITALS = [
    ("Wey Valley Hospitals NHS Foundation Trust", "Wey Valley Hospital", "GU2", "R9A"),
    ("Runnymede and Spelthorne Hospitals NHS Foundation Trust", "St Anne's Hospital", "KT16", "R9B"),
    ("East Surrey and Weald Hospitals NHS Trust", "Weald General Hospital", "RH1", "R9C"),
    ("Epsom and Downs University Hospitals NHS Trust", "Downs Hospital", "KT18", "R9D"),
]

# The clinical commissioning groups the integrated care board replaced in July 2022.
FORMER_CCGS = [
    ("NHS Guildford and Waverley Clinical Commissioning Group", "GU1", "99A"),
    ("NHS North West Surrey Clinical Commissioning Group", "KT16", "99B"),
    ("NHS Surrey Downs Clinical Commissioning Group", "KT22", "99C"),
    ("NHS East Surrey Clinical Commissioning Group", "RH1", "99D"),
    ("NHS Surrey Heath Clinical Commissioning Group", "GU15", "99E"),
]

SCHOOLS = [
    ("Stoke Park Academy", "GU1"), ("Godalming Heights School", "GU7"), ("Farnham Ridgeway Academy", "GU9"),
    ("Camberley Park Academy", "GU15"), ("Horsell Common Academy", "GU21"), ("Epsom Downs High School", "KT17"),
    ("Leatherhead Valley School", "KT22"), ("Redhill Hillcrest Academy", "RH1"),
    ("Staines Thameside Academy", "TW18"), ("Oxted Downs School", "RH8"), ("Walton Meadows School", "KT12"),
    ("St Birinus Catholic School", "KT13"),
]

BOROUGH_COUNCILS = [
    ("Guildford Borough Council", "GU2"), ("Woking Borough Council", "GU21"),
    ("Reigate and Banstead Borough Council", "RH2"), ("Spelthorne Borough Council", "TW18"),
    ("Waverley Borough Council", "GU7"), ("Mole Valley District Council", "RH4"),
]

LEAD_CHARITY = "Action for Carers Surrey"
COUNTY_COUNCIL = "Surrey County Council"
ICB = "NHS Surrey Heartlands Integrated Care Board"

# Services of the lead carers' charity: countywide, between them meeting every need.
LEAD_CHARITY_SERVICES: list[ServiceTemplate] = [
    T("information-advice", "Carers Support Line",
      "Our free support line is the front door for unpaid carers anywhere in Surrey: information and advice, "
      "someone to listen, a carer's assessment, and a referral to the right local support. Professionals can "
      "refer with the carer's consent.", delivery="TO", carer_ages="all", ages=(None, None),
      also=("emotional-support",), hours="Monday to Friday 9am to 5pm; Tuesdays until 7pm", whole_area=True,
      helpline=True),
    T("carers-assessment", "Carer's Assessment Service",
      "We carry out carers' assessments across Surrey on behalf of Surrey County Council. A carer support "
      "worker talks with you at home, by phone or online about your own needs, and agrees a support plan: "
      "breaks, a carer's personal budget, an emergency plan and more.", delivery="HTO", carer_ages="all",
      ages=(16, None), whole_area=True),
    T("young-carers", "Surrey Young Carers",
      "Support for young carers aged 5 to 18 across Surrey: young carers' assessments, one-to-one support, "
      "clubs, trips and residentials, and the Young Carers' Card. Young carers can refer themselves.",
      delivery="PHT", carer_ages="young", ages=(5, 18), whole_area=True),
    T("young-carers-school", "Young Carers in Schools Programme",
      "We help Surrey schools find and support young carers: training for staff, a young carers' champion in "
      "every school, and a schools award. Pupils can talk to our workers in school.", carer_ages="young",
      ages=(5, 18), whole_area=True, hours="School term time"),
    T("young-carers-activities", "Young Carers' Holiday Activities",
      "Days out, sports, arts and residential trips for young carers aged 8 to 18 in every school holiday, "
      "with transport from home.", carer_ages="young", ages=(8, 18), whole_area=True, hours="School holidays"),
    T("young-carers", "Young Adult Carers Service",
      "For young adult carers aged 16 to 25: help with college, university, work and money, peer groups and "
      "a break from caring.", delivery="PTO", carer_ages="all", ages=(16, 25), whole_area=True),
    T("emotional-counselling", "Carers' Counselling Service",
      "Six to twelve counselling sessions with a qualified counsellor for adult carers in Surrey, face to "
      "face, by phone or online. Counselling can help with stress, anxiety, loss and difficult feelings about "
      "caring.", delivery="PTO", whole_area=True),
    T("emotional-listening", "Carers' Befriending by Phone",
      "A weekly call from a trained volunteer for carers who feel isolated or would like someone to talk to.",
      delivery="T", whole_area=True),
    T("money-grants", "Carers' Breaks Grants",
      "Grants of up to £300 for adult carers in Surrey to take a break or do something for themselves: a "
      "short break, a course, a hobby, or respite care.", delivery="TO", also=("breaks-short",),
      whole_area=True),
    T("money-benefits", "Carers' Benefits Advice",
      "Benefits checks and help claiming Carer's Allowance, Attendance Allowance and PIP, with support for "
      "appeals, from our specialist benefits advisers.", delivery="PTO", whole_area=True),
    T("training", "Caring with Confidence Training",
      "Free training for carers across Surrey: moving and handling, first aid, medication, understanding "
      "dementia, and looking after yourself.", delivery="PO", whole_area=True),
    T("work", "Working Carers Network",
      "A network and advice service for carers in work: your rights, flexible working, carer's leave and how "
      "to talk to your employer.", delivery="TO", whole_area=True),
    T("emergency-planning", "Carer's Emergency Card",
      "Register an emergency plan with us and carry a Carer's Emergency Card. If something happens to you, "
      "our 24-hour line contacts the people in your plan and can arrange up to 72 hours of replacement care.",
      delivery="HTO", whole_area=True, hours="24 hours a day, every day"),
    T("hospital-discharge", "Hospital Carers' Support",
      "Carer support workers in Surrey's hospitals meet carers on the ward, involve you in discharge planning "
      "and make sure you have support in place before the person you care for comes home.", delivery="PT",
      whole_area=True),
    T("information-advice", "GP Carers' Support Workers",
      "Our carer support workers hold clinics in GP practices across Surrey, help practices keep a carers' "
      "register and make sure carers are offered health checks and flu vaccinations.", also=("health-wellbeing",),
      whole_area=True),
    T("health-wellbeing", "Carers' Wellbeing Programme",
      "Wellbeing days, mindfulness, yoga and pamper sessions for carers across Surrey, online and in person.",
      delivery="PO", whole_area=True),
    T("peer-support", "Carers' Peer Support Groups",
      "Monthly carers' groups in towns across Surrey, and online groups in the evenings, for carers to meet, "
      "share experiences and support each other.", delivery="PO", whole_area=True,
      hours="Monthly, days vary by group"),
    T("end-of-life", "Former Carers' Group",
      "Support and friendship for people whose caring role has ended, including through bereavement.",
      delivery="PO", whole_area=True),
    T("breaks-sitting", "Carers' Sitting Service",
      "Regular respite at home: a trained sitter stays with the person you care for for up to three hours a "
      "week so you can have a break.", delivery="H", whole_area=True),
    T("information-advice", "Dementia Carers' Support",
      "Specialist advice for carers of someone living with dementia, from diagnosis onwards: what to expect, "
      "planning ahead, respite and local memory cafés.", delivery="PHT", conditions=("dementia",),
      whole_area=True),
    T("emotional-support", "Mental Health Carers' Support",
      "One-to-one support and groups for carers of someone with a mental health condition, working alongside "
      "mental health services.", delivery="PTO", conditions=("mental-health",), whole_area=True),
    T("peer-support", "Parent Carers' Support",
      "Support and groups for parents caring for a disabled child or young adult, including children with "
      "autism or a learning disability.", delivery="PO", carer_ages="all", ages=(None, None),
      conditions=("learning-disability", "autism"), whole_area=True),
    T("legal", "Planning Ahead for Carers",
      "Information sessions and one-to-one advice on Lasting Power of Attorney, wills, deputyship and housing "
      "options for the future.", delivery="PO", also=("housing",), whole_area=True),
    T("breaks-day", "Day Breaks Advice",
      "Advice on day centres, clubs and day opportunities across Surrey that give carers a regular break, and "
      "help to arrange a place.", delivery="T", whole_area=True),
    T("practical-help", "Practical Help at Home Advice",
      "Advice on equipment, telecare, adaptations and help at home to make caring easier and safer.",
      delivery="THO", whole_area=True),
]

# A carer support worker in each locality, with the districts that locality covers.
LEAD_CHARITY_LOCAL = T(
    "information-advice", "Carer Support Worker, {area}",
    "A carer support worker for {area}, based at {venue}: information, advice and support in person, a "
    "carer's assessment, and links to local groups and services.", delivery="PH", carer_ages="all",
    ages=(None, None), also=("carers-assessment",), whole_area=False)

COUNCIL_SERVICES: list[ServiceTemplate] = [
    T("carers-assessment", "Carer's Assessment (Adult Social Care)",
      "Surrey County Council's adult social care assesses the needs of carers over 18 under the Care Act "
      "2014, and can offer a carer's personal budget or services to support you.", delivery="HT",
      whole_area=True),
    T("money-grants", "Carer's Personal Budget",
      "A one-off or regular payment after a carer's assessment to meet your own needs as a carer, for example "
      "a break, a course or equipment.", delivery="T", whole_area=True),
    T("breaks-short", "Replacement Care for Carers' Breaks",
      "Replacement care at home or a short stay in a care home for the person you care for so you can take a "
      "break. The person cared for may have to contribute to the cost.", delivery="HT", whole_area=True,
      fee="Subject to a financial assessment of the person cared for"),
    T("practical-help", "Technology Enabled Care",
      "Telecare alarms, falls sensors and medication reminders that help people live safely at home and give "
      "carers peace of mind, with a 24-hour response service.", delivery="HT", whole_area=True,
      fee="£5.50 a week; free for the first six weeks", carer_ages="all", ages=(None, None)),
    T("hospital-discharge", "Hospital Discharge Social Care",
      "Social workers in each acute hospital plan care for people leaving hospital, and involve carers in "
      "the plan.", delivery="PT", whole_area=True),
    T("young-carers", "Young Carers' Assessments (Children's Services)",
      "Children's services assess young carers' needs and agree support with the family, schools and young "
      "carers' services.", delivery="HT", carer_ages="young", ages=(5, 17), whole_area=True),
    T("information-advice", "Adult Social Care Information Line",
      "Information about care and support in Surrey, paying for care, and how to ask for an assessment for "
      "you or the person you care for.", delivery="TO", carer_ages="all", ages=(None, None),
      whole_area=True, helpline=True),
    T("emergency-planning", "Emergency Replacement Care",
      "Up to 72 hours of emergency care for the person you care for if you are suddenly unable to care, "
      "arranged through the Carer's Emergency Card.", delivery="H", whole_area=True,
      hours="24 hours a day, every day"),
]

BOROUGH_SERVICES: list[ServiceTemplate] = [
    T("housing", "Housing Options and Advice, {org}",
      "Advice on housing options, homelessness prevention and the housing register, including for carers who "
      "may lose their home when the person they care for moves or dies.", delivery="PT", whole_area=False),
    T("practical-help", "Disabled Facilities Grants, {org}",
      "Grants for adaptations such as stairlifts, level-access showers and ramps so a disabled person can stay "
      "at home, arranged with an occupational therapist.", delivery="H", carer_ages="all", ages=(None, None),
      whole_area=False),
]

ICB_SERVICES: list[ServiceTemplate] = [
    T("health-wellbeing", "Carers' Health Checks and Vaccinations",
      "Carers registered with their GP practice in Surrey Heartlands are offered a free flu vaccination, an "
      "annual health check and flexible appointments.", delivery="P", carer_ages="all", ages=(None, None),
      whole_area=True),
    T("information-advice", "Carers' Passport",
      "Show your Carers' Passport at Surrey hospitals and NHS services for flexible visiting, parking "
      "concessions and to be involved in care and discharge planning.", delivery="O", carer_ages="all",
      ages=(None, None), whole_area=True, also=("hospital-discharge",)),
]

MENTAL_HEALTH_TRUST = "Surrey Hills Mental Health NHS Foundation Trust"
COMMUNITY_HEALTH = "Surrey Downs Community Health"

MENTAL_HEALTH_SERVICES: list[ServiceTemplate] = [
    T("emotional-support", "Mental Health Carers' Support Service",
      "Support for families and carers of people using our mental health services: a carers' lead in every "
      "team, carers' assessments, and information about the care plan with the person's consent.",
      delivery="PT", conditions=("mental-health",), whole_area=True, also=("information-advice",)),
    T("training", "Carers' Education Programme: Understanding Psychosis",
      "An eight-week course for family carers of someone with psychosis: understanding the illness, "
      "medication, early warning signs and looking after yourself.", delivery="PO",
      conditions=("mental-health",), whole_area=True),
    T("information-advice", "Memory Clinic Family Support",
      "Advice for families at the memory clinic, after a diagnosis of dementia: what happens next, "
      "medication, and support for carers.", conditions=("dementia",), whole_area=True),
]

COMMUNITY_HEALTH_SERVICES: list[ServiceTemplate] = [
    T("practical-help", "Community Equipment and Continence Advice",
      "Community nurses and therapists advise on equipment, continence products and safe moving and "
      "handling at home.", delivery="HT", whole_area=True, carer_ages="all", ages=(None, None)),
    T("hospital-discharge", "Discharge to Assess at Home",
      "Short-term care and rehabilitation at home for up to six weeks after a hospital stay, with support "
      "for carers.", delivery="H", whole_area=True),
]

HOSPITAL_SERVICES: list[ServiceTemplate] = [
    T("hospital-discharge", "Carers' Support at {venue}",
      "A carers' hub at {venue}: carer support workers help carers while the person they care for is in "
      "hospital, involve them in discharge planning and link them with support at home.",
      carer_ages="all", ages=(None, None)),
    T("end-of-life", "Palliative Care and Bereavement Support, {venue}",
      "The hospital palliative care team supports patients nearing the end of life and their families, and "
      "offers bereavement support afterwards.", conditions=("end-of-life", "cancer"), carer_ages="all",
      ages=(None, None)),
    T("information-advice", "Patient and Carer Advice, {venue}",
      "Help for patients and carers with questions or concerns about care at {venue}, including the Carers' "
      "Passport and visiting arrangements.", delivery="PT", carer_ages="all", ages=(None, None)),
]

GP_SERVICES: list[ServiceTemplate] = [
    T("health-wellbeing", "Carers' Health Check, {org}",
      "{org} keeps a carers' register. Registered carers are offered an annual health check, a flu "
      "vaccination, flexible appointments and a named carers' lead in the practice. Tell reception you are a "
      "carer.", carer_ages="all", ages=(None, None)),
    T("information-advice", "Carer Support Clinic, {org}",
      "A carer support worker holds a monthly clinic at {org}: information, advice and a route to a carer's "
      "assessment. Book at reception.", hours="First {day} of the month, 9am to 12 noon"),
    T("emotional-listening", "Social Prescribing for Carers, {org}",
      "Our social prescribing link worker helps carers find local groups, activities and support that help "
      "with loneliness, stress and wellbeing.", also=("health-wellbeing",)),
]

SCHOOL_SERVICES: list[ServiceTemplate] = [
    T("young-carers-school", "Young Carers' Champion, {org}",
      "{org} has a named young carers' champion and a weekly lunchtime drop-in for students who care for "
      "someone at home: flexible homework deadlines, a quiet space and a regular check-in with a trusted "
      "adult.", carer_ages="young", ages=(11, 18), hours="School term time"),
    T("young-carers-activities", "Young Carers' Lunch Club, {org}",
      "A weekly lunch club for young carers at {org}, run with the local young carers' service: games, "
      "chat and time out.", carer_ages="young", ages=(11, 18), hours="{day}s at lunchtime, term time"),
]
