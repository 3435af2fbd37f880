"""The recap as an Excel workbook (openpyxl), laid out like Lampiran I: title, a two-row header
with the Datang / Pulang / Tidak Hadir groups merged, the rows, the legend and the signature block."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kiosk.report.layout import COLUMNS, LEGEND, PERCENT_COLUMN, Recap, footer_lines, row_values, title_lines

HEADER_ROW = 5  # group headings; sub-headings on the next row, data after
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_xlsx(recap: Recap, out: Path | BinaryIO) -> None:
    book = Workbook()
    sheet = book.worksheets[0]  # a new workbook's one sheet; the stubs type `book.active` as maybe a chartsheet or None
    sheet.title = "Rekap"
    _title(sheet, recap)
    _header(sheet)
    last_row = _rows(sheet, recap)
    _footer(sheet, recap, last_row + 2)
    _widths(sheet)
    book.save(out)


def _title(sheet: Worksheet, recap: Recap) -> None:
    for offset, line in enumerate(title_lines(recap)):
        row = 1 + offset
        sheet.cell(row=row, column=1, value=line).font = Font(bold=True, size=12 if offset == 0 else 11)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center")


def _header(sheet: Worksheet) -> None:
    top, sub = HEADER_ROW, HEADER_ROW + 1
    column = 1
    while column <= len(COLUMNS):
        group = COLUMNS[column - 1][0]
        span = sum(1 for g, _ in COLUMNS if g == group)
        _head_cell(sheet, top, column, group)
        if span > 1 or COLUMNS[column - 1][1]:
            for i in range(span):
                _head_cell(sheet, sub, column + i, COLUMNS[column - 1 + i][1])
            if span > 1:
                sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + span - 1)
        else:
            _head_cell(sheet, sub, column, None)
            sheet.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=column)
        column += span


def _head_cell(sheet: Worksheet, row: int, column: int, value: str | None) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.font = Font(bold=True)
    cell.alignment = _CENTER
    cell.border = _BOX


def _rows(sheet: Worksheet, recap: Recap) -> int:
    row = HEADER_ROW + 1
    for number, recap_row in enumerate(recap.rows, start=1):
        row += 1
        for column, value in enumerate(row_values(number, recap_row, separator="\n"), start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = _BOX
            cell.alignment = Alignment(
                vertical="top", wrap_text=column == 2, horizontal="left" if column == 2 else "center"
            )
        sheet.cell(row=row, column=PERCENT_COLUMN).number_format = "0.00"
    return row


def _footer(sheet: Worksheet, recap: Recap, first_row: int) -> None:
    for offset, line in enumerate(LEGEND):
        sheet.cell(row=first_row + offset, column=1, value=line)
    sign_column = len(COLUMNS) - 4
    for offset, line in enumerate(footer_lines(recap)):
        sheet.cell(row=first_row + offset, column=sign_column, value=line or None)


def _widths(sheet: Worksheet) -> None:
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 32
    for column in range(3, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
