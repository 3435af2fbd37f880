"""The recap as CSV: title lines, one header row, one row per employee, legend and signature block.

The title and footer rows sit in the first column so a spreadsheet opens the file as printed; the
table itself is plain CSV for tools that skip to the header row (`No,Nama/NIP/USERID,...`).
"""

from __future__ import annotations

import csv
from typing import TextIO

from kiosk.report.layout import LEGEND, Recap, flat_headers, footer_lines, row_values, title_lines


def write_csv(recap: Recap, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    for line in title_lines(recap):
        writer.writerow([line])
    writer.writerow([])
    writer.writerow(flat_headers())
    for number, row in enumerate(recap.rows, start=1):
        writer.writerow(row_values(number, row))
    writer.writerow([])
    for line in (*LEGEND, "", *footer_lines(recap)):
        writer.writerow([line] if line else [])
