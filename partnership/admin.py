from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Partnership, PartnershipManager, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["first_name", "last_name", "job_title"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class PartnershipManagerInline(admin.TabularInline):
    model = PartnershipManager
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "lead_organisation", "response_target_days"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnershipManagerInline]
    raw_id_fields = ["area_districts", "lead_organisation"]
