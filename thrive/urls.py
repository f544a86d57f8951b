from django.contrib import admin
from django.urls import include, path

from thrive.accounts import views as account_views
from thrive.cases.api import router as cases_router
from thrive.hotline.api import router as hotline_router
from thrive.lib.api import build_api
from thrive.outcomes.api import router as outcomes_router
from thrive.referrals.api_conferences import router as conferences_router
from thrive.referrals.api_directory import router as directory_router
from thrive.referrals.api_referrals import router as referrals_router
from thrive.reporting.api import router as reports_router
from thrive.services.api import router as services_router
from thrive.survivors.api import router as survivors_router

api = build_api()
api.add_router("/", survivors_router)
api.add_router("/", cases_router)
api.add_router("/", services_router)
api.add_router("/", hotline_router)
api.add_router("/", outcomes_router)
api.add_router("/", directory_router)
api.add_router("/", referrals_router)
api.add_router("/", conferences_router)
api.add_router("/", reports_router)

admin.site.login = account_views.admin_login_view  # one login, with lockout
admin.site.site_header = "Thrive administration"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("thrive.accounts.urls")),
    path("survivors/", include("thrive.survivors.urls")),
    path("cases/", include("thrive.cases.urls")),
    path("services/", include("thrive.services.urls")),
    path("grants/", include("thrive.grants.urls")),
    path("import/", include("thrive.cases.import_urls")),
    path("hotline/", include("thrive.hotline.urls")),
    path("screening/", include("thrive.screening.urls")),
    path("outcomes/", include("thrive.outcomes.urls")),
    path("referrals/", include("thrive.referrals.urls")),
    path("reports/", include("thrive.reporting.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "thrive.lib.errors.forbidden"
handler404 = "thrive.lib.errors.not_found"
handler500 = "thrive.lib.errors.server_error"
