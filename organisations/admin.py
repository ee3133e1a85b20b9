from django.contrib import admin

from .models import (
    ConditionGroup,
    Location,
    Membership,
    Organisation,
    Service,
    ServiceAtLocation,
    StaffRole,
    Taxonomy,
    TaxonomyTerm,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "charity_number", "ods_code"]
    list_filter = ["kind"]
    search_fields = ["name", "charity_number", "ods_code"]
    inlines = [MembershipInline]


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "partnership", "status", "joined_at"]
    list_filter = ["status", "partnership"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation", "partnership"]
    inlines = [StaffRoleInline]


class ServiceAtLocationInline(admin.TabularInline):
    model = ServiceAtLocation
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "status", "referral_capacity"]
    list_filter = ["status", "referral_capacity", "is_free"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]
    filter_horizontal = ["needs", "condition_groups"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["service_area_districts"]
    inlines = [ServiceAtLocationInline]
    readonly_fields = ["summary"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "postal_code", "organisation"]
    search_fields = ["name", "postal_code"]
    raw_id_fields = ["district", "organisation"]


class TaxonomyTermInline(admin.TabularInline):
    model = TaxonomyTerm
    extra = 0
    fields = ["name", "code", "slug", "parent", "position"]


@admin.register(Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "is_need_taxonomy"]
    inlines = [TaxonomyTermInline]


admin.site.register(ConditionGroup)
