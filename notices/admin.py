"""The units' group robots (群机器人): set up by admins; notices to a unit's reporters go there too."""

from django.contrib import admin

from .models import UnitWebhook


@admin.register(UnitWebhook)
class UnitWebhookAdmin(admin.ModelAdmin):
    list_display = ["unit", "url", "active"]
    list_filter = ["active"]
    search_fields = ["unit__name"]
