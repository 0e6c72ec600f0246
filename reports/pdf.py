"""HTML to PDF with Debian's headless Chromium (`chromium --print-to-pdf`).

The page is written to a temporary directory and opened as a file:// URL; its stylesheets and
plotly.min.js are referenced by absolute file:// paths (see `views.pdf_assets`), so Chromium
needs no web server and no network. Chinese text needs the fonts of `fonts-noto-cjk`.

The binary is `settings.CHROMIUM_PATH`, else the environment variable CHROMIUM_PATH, else
`chromium` or `chromium-browser` on the PATH.
"""

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60
INSTALL_COMMAND = "apt-get install -y chromium fonts-noto-cjk"


class ChromiumMissing(RuntimeError):
    """No Chromium binary where we look; the message says what to install."""

    def __init__(self, path: str | None):
        self.path = path
        where = _("(已配置的路径 %(path)s 不存在或不可执行)") % {"path": path} if path else ""
        super().__init__(
            _(
                "服务器上没有找到 Chromium 浏览器%(where)s,无法生成 PDF。"
                "请由管理员安装:%(command)s;若已安装在其他位置,请设置环境变量 CHROMIUM_PATH。"
            )
            % {"where": where, "command": INSTALL_COMMAND}
        )


class PdfError(RuntimeError):
    """Chromium ran but produced no PDF (crash, timeout)."""


def chromium_path() -> str:
    """The Chromium binary to run, or ChromiumMissing."""
    configured = getattr(settings, "CHROMIUM_PATH", None) or os.environ.get("CHROMIUM_PATH")
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise ChromiumMissing(configured)
        return found
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise ChromiumMissing(None)
    return found


def html_to_pdf(html: str) -> bytes:
    """Print `html` (a complete document with file:// assets) to A4 PDF bytes."""
    binary = chromium_path()
    with tempfile.TemporaryDirectory(prefix="bulletin-") as tmp:
        workdir = Path(tmp)
        page = workdir / "bulletin.html"
        page.write_text(html, encoding="utf-8")
        out = workdir / "bulletin.pdf"
        command = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--no-first-run",
            "--no-pdf-header-footer",
            "--virtual-time-budget=10000",
            f"--user-data-dir={workdir / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            result = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(_("Chromium 在 %(n)s 秒内未能生成 PDF。") % {"n": TIMEOUT_SECONDS}) from exc
        if not out.is_file() or out.stat().st_size == 0:
            logger.error(
                "chromium exited %s without a PDF: %s", result.returncode, result.stderr.decode()[-2000:]
            )
            raise PdfError(_("Chromium 未能生成 PDF(退出码 %(code)s)。") % {"code": result.returncode})
        return out.read_bytes()
