"""The referrals pages: the partner directory and gaps, consents and referrals, case
conferences; each part keeps its own list of routes."""

from thrive.referrals import urls_conferences, urls_directory, urls_referrals

app_name = "referrals"
urlpatterns = [
    *urls_directory.urlpatterns,
    *urls_referrals.urlpatterns,
    *urls_conferences.urlpatterns,
]
