"""The monthly figures' Excel round trip, in the order a file travels.

- `sheetcells`: the workbook's layout (columns, headers in every language, limits) and reading a cell;
- `writer`: the unit's fill-in template;
- `validation`: name, size, the package scan (`safety`) and the header, before any row is read;
- `reader`: the typed rows of an upload and the unit and month it names;
- `importer`: matching rows with targets and stored figures, the preview and the confirmation;
- `safety`: the zip and XML checks before openpyxl opens a file, and safe cell writing.
"""
