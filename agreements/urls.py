from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
]
