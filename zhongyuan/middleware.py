"""Language selection for a Chinese-first intranet.

Django's LocaleMiddleware follows the browser's Accept-Language header. Here that would be wrong:
many officials' browsers (and most phones bought abroad or set up in English) say "en" while
the working language of the office is Chinese, and a half-familiar English page is worse for
them than the Chinese one they expect. So the language comes only from the cookie that Django's
`set_language` view (/i18n/setlang/, the switcher in the page header) sets when someone chooses
a language; without that choice every page is in LANGUAGE_CODE (简体中文).
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers


def chosen_language(request) -> str:
    """The language the user chose with the switcher, if it is one we offer; else LANGUAGE_CODE."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code and translation.check_for_language(code):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware that ignores Accept-Language: the language cookie or the default."""

    def process_request(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The page depends on the language cookie, not on Accept-Language.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# The public pages (public/urls.py): anonymous, the same for everybody.
PUBLIC_PATHS = ("/public/", "/robots.txt")
PUBLIC_MAX_AGE = 300


def is_public_page(request, response) -> bool:
    """A successful GET of a public page that sets no cookie (only then is it the same for all)."""
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and request.path.startswith(PUBLIC_PATHS)
        and not response.cookies
        and not response.has_header("Content-Disposition")
    )


class SecurityHeadersMiddleware:
    """Cache-Control and Content-Security-Policy on every response of the site (not on static files).

    Every page may show what only a logged-in user may see (and the header names the user), so no
    shared cache may keep one: `Cache-Control: private`. A download (Content-Disposition: the
    bulletin's PDF and workbook, the Excel template) is not stored at all: `private, no-store`.
    The public pages (政务公开, `PUBLIC_PATHS`) are the exception: the same for everybody and
    showing nothing of any user, a successful one that sets no cookie is `public, max-age=300`.
    Set here, after the view, so it holds for pages served from the page cache (targets/pagecache.py)
    and for error pages alike.

    settings.CONTENT_SECURITY_POLICY forbids inline script: pages load their scripts from our
    static files and pass data in data-* attributes or JSON data blocks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_public_page(request, response):
            # 政务公开 (public/): the same page for everyone, no user data: shared caches may keep it.
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        elif response.has_header("Content-Disposition"):
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, private=True)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
