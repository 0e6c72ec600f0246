"""The header's notice link: the unread count, read live for every page (never cached)."""

from django import template

from notices.models import Notice

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notice_count(context) -> int:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()
