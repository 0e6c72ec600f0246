"""Time and memory of refusing a decompression-bomb workbook at the monthly-figures upload.

    DEBUG=1 .venv/bin/python -m bench.xlsx_bomb [--unpacked-mb 95] [--timeout 120]

Builds an .xlsx whose one sheet holds identical rows (a few hundred KB on disk, `--unpacked-mb`
MB of XML once unpacked), then hands it to `entry.xlsx.reader.read_upload` (what the upload view
calls) in a fresh child process and reports the wall time, the growth of the child's resident
memory (peak VmHWM minus VmRSS just before the call) and the outcome: the refusal message, an
unexpected success, or the child killed at the timeout. `bomb_xlsx` is also used by the tests.

Measured on a 2-CPU machine shared with other work (473 KB file, 95 MB sheet of identical rows):
before the checks (openpyxl loading the whole workbook) 26.4 s and +996 MB resident, refused only
afterwards as 工作表过大 (51 s on a busier moment; gunicorn's 30 s timeout kills the worker);
after, 0.001 s and +0 MB, refused from the zip directory. The same sheet made of rows that differ
(`--unpacked-mb 7.9 --varied`, 1.3 MB packing 6:1) went from 4.4 s and +92 MB to 0.7 s and +0 MB,
refused by the streaming XML scan at 400 000 elements.
"""

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="月度数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
# One row of the bomb: 14 cells, the same text and numbers in every row.
ROW = (
    "<row>"
    + "".join(f'<c t="inlineStr"><is><t>重复的填报内容{col}</t></is></c>' for col in range(7))
    + "".join(f"<c><v>{1000 + col}</v></c>" for col in range(7))
    + "</row>"
).encode()


def _varied_block(size: int) -> bytes:
    """About `size` bytes of rows like ROW whose numbers differ, so they pack only about 5:1."""
    rng = random.Random(2020)
    rows, length = [], 0
    while length < size:
        row = (
            "<row>"
            + "".join(f'<c t="inlineStr"><is><t>内容{rng.randrange(10**8)}</t></is></c>' for _ in range(7))
            + "".join(f"<c><v>{rng.randrange(10**9)}</v></c>" for _ in range(7))
            + "</row>"
        ).encode()
        rows.append(row)
        length += len(row)
    return b"".join(rows)


def bomb_xlsx(unpacked_mb: float = 95, *, varied: bool = False) -> bytes:
    """A well-formed .xlsx whose sheet unpacks to about `unpacked_mb` MB of identical rows.

    `varied`: rows whose numbers differ, which pack about 5:1 instead of 200:1.
    """
    size = int(unpacked_mb * 1024 * 1024)
    block = _varied_block(1 << 20) if varied else ROW * ((1 << 20) // len(ROW))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=size > 2**31) as sheet:
            sheet.write(SHEET_HEAD.encode())
            written = 0
            while written + len(block) <= size:
                sheet.write(block)
                written += len(block)
            rest = block[: size - written]
            sheet.write(rest[: rest.rfind(b"</row>") + len(b"</row>")] if b"</row>" in rest else b"")
            sheet.write(SHEET_TAIL.encode())
    return buffer.getvalue()


def _status(pid: int, key: str) -> int:
    """A memory figure of /proc/<pid>/status in bytes (0 once the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def child(path: str) -> None:
    """Read the file as the upload view does; print one JSON line with the outcome."""
    from bench.django_env import setup

    setup()
    from django.utils import translation

    from entry.xlsx.reader import read_upload
    from entry.xlsx.sheetcells import WorkbookRejected

    with open(path, "rb") as source:
        data = source.read()
    translation.activate("zh-hans")
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset the peak (VmHWM) to the current resident size
    before = _status(os.getpid(), "VmRSS")
    start = time.perf_counter()
    try:
        read_upload(data)
        outcome = "read without refusal"
    except WorkbookRejected as exc:
        outcome = "refused: " + " ".join(exc.messages)
    seconds = time.perf_counter() - start
    peak = _status(os.getpid(), "VmHWM")
    print(json.dumps({"seconds": seconds, "rss_growth_mb": (peak - before) / 2**20, "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unpacked-mb", type=float, default=95)
    parser.add_argument("--varied", action="store_true", help="rows that differ (pack about 5:1)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before the child is killed")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    data = bomb_xlsx(args.unpacked_mb, varied=args.varied)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(m.file_size for m in archive.infolist())
    path = f"/tmp/xlsx-bomb-{os.getpid()}.xlsx"
    with open(path, "wb") as out:
        out.write(data)
    print(f"file: {len(data) / 1024:.0f} KB on disk, {unpacked / 2**20:.1f} MB unpacked")
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.xlsx_bomb", "--child", path],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    try:
        while proc.poll() is None:
            peak = max(peak, _status(proc.pid, "VmHWM"))
            if time.perf_counter() - started > args.timeout:
                proc.kill()
                proc.wait()
                print(
                    f"killed after {args.timeout:.0f} s without an answer; "
                    f"child's peak resident memory so far {peak / 2**20:.0f} MB"
                )
                return
            time.sleep(0.05)
        out, err = proc.communicate()
    finally:
        os.unlink(path)
    if proc.returncode != 0:
        print(f"child failed ({proc.returncode}): {err[-2000:]}")
        return
    result = json.loads(out.strip().splitlines()[-1])
    print(f"time {result['seconds']:.3f} s, resident memory growth {result['rss_growth_mb']:.1f} MB")
    print(result["outcome"])


if __name__ == "__main__":
    main()
