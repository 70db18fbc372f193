from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from governance import views

admin.site.site_header = "Data sharing governance"
admin.site.site_title = "Data sharing governance"
admin.site.index_title = "Registry and documents"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="notices:school_list", permanent=False)),
    path("schools/", include("notices.urls")),
    path("portal/", include("governance.portal.urls")),
    path("agreements/", include("agreements.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("governance.api.urls")),
    path("healthz", views.healthz, name="healthz"),
]
