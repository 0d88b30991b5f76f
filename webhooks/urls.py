"""`/webhooks/`: the admins' pages for webhook endpoints and their deliveries."""

from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("add/", views.endpoint_add, name="add"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("<int:pk>/active/", views.endpoint_active, name="active"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("deliveries/<int:pk>/send-again/", views.delivery_resend, name="resend"),
]
