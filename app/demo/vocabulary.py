"""Word pools the generators draw from: companies, people, staff, ticket texts.

Kept apart from the generators so the realism lives in one readable place and
the generators stay about structure.  Domains use the reserved ``.example``
top-level domain, so no generated address can belong to anyone.
"""

from __future__ import annotations

COMPANY_STEMS = (
    "Northwind", "Bluebird", "Granite", "Harbor", "Juniper", "Kestrel", "Lumen", "Maple", "Meridian",
    "Nimbus", "Oakridge", "Orchid", "Pioneer", "Quarry", "Redwood", "Saffron", "Sierra", "Summit",
    "Tidewater", "Trillium", "Vantage", "Willow", "Zephyr", "Alder", "Beacon", "Cobalt", "Driftwood",
    "Ember", "Fjord", "Glacier", "Helix", "Ironwood", "Lighthouse", "Mosaic", "Polaris", "Riverbend",
)
COMPANY_TRADES = (
    "Analytics", "Labs", "Logistics", "Health", "Media", "Robotics", "Foods", "Legal", "Studios",
    "Energy", "Consulting", "Dental", "Architects", "Freight", "Retail", "Software", "Clinics", "Travel",
)
COMPANY_FORMS = ("Inc.", "LLC", "Ltd", "GmbH", "AB", "BV", "SAS", "Pty Ltd", "Co.", "")
COUNTRIES = ("US", "US", "US", "GB", "DE", "FR", "NL", "SE", "CA", "AU", "ES", "IT")
SEGMENTS = ("smb", "smb", "smb", "mid_market", "mid_market", "enterprise")

FIRST_NAMES = (
    "Ava", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kara",
    "Liam", "Mei", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Victor",
    "Wen", "Yusuf", "Zoe", "Anders", "Bianca", "Carlos", "Dana", "Emeka",
)
LAST_NAMES = (
    "Anderson", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
    "Kowalski", "Lopez", "Müller", "Nakamura", "Okafor", "Patel", "Quist", "Rossi", "Schmidt", "Tanaka",
    "Urban", "Varga", "Walsh", "Xu", "Young", "Zimmermann", "Novak", "Silva", "Khan", "Murphy",
)

# Support staff by tier; escalation moves a ticket to the next tier's people.
AGENTS = {
    1: ("Maya Chen", "Luis Ortega", "Priya Nair", "Tom Becker", "Aisha Bello", "Jonah Price"),
    2: ("Sofia Lindqvist", "Marcus Webb", "Keiko Sato"),
    3: ("Dr. Ravi Menon", "Hannah Kraus"),
}
OPS_PEOPLE = ("Sam Rivera", "Nadia Petrova", "Owen Brooks", "Lena Vogel")

FEATURES = ("CSV export", "the report builder", "bulk import", "the calendar sync", "audit log", "SSO login")
FORMATS = ("CSV", "PDF", "Excel", "JSON")
IDPS = ("Okta", "Azure AD", "Google Workspace", "OneLogin")
OBJECTS = ("project", "invoice", "workspace", "user", "dashboard")

# category -> (weight, tier weights, subject templates, first-sentence templates)
TICKET_CATEGORIES: dict[str, tuple[int, tuple[int, int, int], tuple[str, ...], tuple[str, ...]]] = {
    "billing": (
        22, (80, 17, 3),
        ("Charged twice for the {month} invoice", "Invoice shows the wrong VAT number",
         "Can't update our credit card", "Refund request for the annual {plan} plan",
         "Upgrade to {plan} not reflected on our invoice", "Why did our bill go up this month?"),
        ("We were billed twice this month and need one charge refunded.",
         "Our finance team noticed the invoice does not match what we agreed.",
         "The payment form keeps rejecting our company card.",
         "We switched plans last week and the invoice still shows the old price."),
    ),
    "bug": (
        24, (45, 40, 15),
        ("{feature} crashes when exporting to {format}", "Error 500 when saving a {object}",
         "{feature} is very slow since the last update", "Sync stuck at {percent}%",
         "Duplicate entries after import", "Search returns results from another {object}"),
        ("Since this morning every attempt ends with an error message.",
         "It worked last week; nothing changed on our side.",
         "Three people in our team can reproduce it on different machines.",
         "We attached a screenshot of the error and the steps to reproduce it."),
    ),
    "how-to": (
        20, (92, 7, 1),
        ("How do I add users to our {plan} plan?", "How to set up SSO with {idp}",
         "Can we export all data to {format}?", "Where do I find the API key?",
         "How do I move a {object} to another workspace?"),
        ("I could not find this in the help center.", "A quick pointer to the right page would help.",
         "We are onboarding a new team next week and want to get this right."),
    ),
    "outage": (
        8, (30, 45, 25),
        ("Your service is down for us", "Cannot log in — authentication errors",
         "Dashboard not loading at all", "File uploads failing since {time}",
         "API returns 503 for every request"),
        ("Nobody in our office can work right now.", "This is blocking our whole team.",
         "Our customers are noticing, please treat this as urgent."),
    ),
    "feature request": (
        12, (95, 5, 0),
        ("Please add {feature} to the {plan} plan", "Dark mode for the dashboard",
         "Webhook for {object} changes", "Allow more than {seats} seats on a license"),
        ("This would save our team hours every week.", "Several of our users asked for this.",
         "We would happily pay more for it."),
    ),
    "account": (
        10, (85, 14, 1),
        ("Change the account owner to {name}", "Please delete our account",
         "Merge two accounts into one", "Update the company name on invoices"),
        ("Our previous admin has left the company.", "We restructured and need our records to match.",
         "Please confirm once this is done."),
    ),
    "license": (
        4, (70, 25, 5),
        ("License key not accepted on a new laptop", "Need more seats on our license",
         "License expired although we renewed", "Offline activation for an air-gapped machine"),
        ("We replaced a machine and the desktop app no longer starts.",
         "Our renewal went through last week but the app still warns us."),
    ),
}

INCIDENT_TITLES = (
    "Elevated error rates on {service}", "{service} unavailable in EU region", "Degraded performance of {service}",
    "Increased latency for {service}", "Partial outage of {service}", "{service} returning stale data",
)
INCIDENT_UPDATES = {
    "investigating": ("We are investigating reports of problems with {service}.",),
    "identified": ("The cause has been identified: a faulty deploy of {service}. A fix is being rolled out.",
                   "A failing storage node behind {service} was identified and is being replaced."),
    "monitoring": ("A fix has been deployed; we are monitoring {service}.",),
    "resolved": ("{service} is operating normally again. A post-mortem will follow.",),
}
