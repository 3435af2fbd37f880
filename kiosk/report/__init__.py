"""Reports for the unit's attendance operator: the Lampiran I recap and the yearly violations.

`collect.monthly_recap(...)` reads the store and computes; `csv_writer` and `xlsx_writer` write the
result in the layout of Lampiran I (`layout`). See docs/recap.md.
"""
