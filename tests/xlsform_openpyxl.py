"""openpyxl, the independent side of tests/check_xlsform.

  dump FILE.xlsx      prints every sheet's cells as JSON: {"survey":
                      [[cell, ...], ...], ...}, each cell as text ("" for
                      an empty one), as openpyxl reads what we wrote
  addrow FILE SHEET CELL...   appends a row of text cells to SHEET of
                      FILE, as a person adding a question would
  handmade OUT.xlsx   writes a questionnaire the way a person would in a
                      spreadsheet: numbers typed as numbers (choice codes
                      1 and 2, the version, the bounds), TRUE as a
                      boolean, an empty row, an empty column, columns in
                      another order, a sheet of its own; openpyxl writes
                      its text as inline strings (libxlsxwriter, whose
                      files the round trip reads, as shared strings)
  bomb OUT.xlsx KIND N   writes, with zipfile alone, a small workbook that
                      says a lot: KIND strings, N empty shared strings
                      (<si/>); KIND cells, a survey sheet of N cells in
                      rows of 100, each the first shared string
"""
import json
import sys
import zipfile

import openpyxl

def text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def dump(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [[text(v) for v in row]
                         for row in ws.iter_rows(values_only=True)]
    json.dump(out, sys.stdout, ensure_ascii=False)


def handmade(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    # column C left empty; "label::French (fr)" as pyxform writes it
    ws.append(["type", "name", None, "label::French (fr)", "required",
               "relevant", "constraint", "hint", "label::English (en)",
               "msp_type"])
    ws.append(["begin group", "profil", None, "Profil"])
    ws.append(["select_one taille", "taille", None, "Taille de l'équipe",
               True, None, None, "Une seule réponse", "Team size"])
    ws.append(["integer", "nb_pro", None, "Nombre de professionnels",
               None, "${taille} = '2'", ". >= 1 and . <= 250"])
    ws.append(["end group"])
    ws.append([])
    ws.append(["select_multiple outils", "outils", None, "Outils utilisés"])
    ws.append(["text", "outils_autre", None, "Précisez", None,
               "selected(${outils}, 'autre')", "string-length(.) <= 200"])
    ws.append(["select_one oui_non", "accord", None, "D'accord ?", "yes",
               None, None, None, None, "boolean"])
    ws.append(["decimal", "part", None, "Part des usagers", None,
               "${accord} = 'oui'", ". >= 0.5"])
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label"])
    ch.append(["taille", 1, "Moins de 10"])
    ch.append(["taille", 2, "10 ou plus"])
    ch.append(["outils", "affiches", "Affiches"])
    ch.append(["outils", "autre", "Autre"])
    ch.append(["oui_non", "oui", "Oui"])
    ch.append(["oui_non", "non", "Non"])
    st = wb.create_sheet("settings")
    st.append(["form_id", "form_title", "version", "default_language"])
    st.append(["essai-main", "Questionnaire fait à la main", 3,
               "French (fr)"])
    wb.create_sheet("notes").append(["ignorée", "par l'import"])
    wb.save(path)


def addrow(path, sheet, *cells):
    wb = openpyxl.load_workbook(path)
    wb[sheet].append(list(cells))
    wb.save(path)


def bomb(path, kind, n):
    n = int(n)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = ("http://schemas.openxmlformats.org/officeDocument/2006/"
           "relationships")
    workbook = ('<workbook xmlns="%s" xmlns:r="%s"><sheets>'
                '<sheet name="survey" sheetId="1" r:id="rId1"/>'
                '</sheets></workbook>' % (main, rel))
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" '
            'Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>' % rel)
    strings = n if kind == "strings" else 1
    sst = ('<sst xmlns="%s" count="%d" uniqueCount="%d">' % (main, strings,
                                                           strings)
           + "<si/>" * strings + "</sst>")
    rows = []
    if kind == "cells":
        cell = '<c t="s"><v>0</v></c>'
        for r in range(0, n, 100):
            rows.append("<row>" + cell * min(100, n - r) + "</row>")
    sheet = ('<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>'
             % (main, "".join(rows)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("xl/worksheets/sheet1.xml", sheet)


if __name__ == "__main__":
    {"dump": dump, "handmade": handmade, "addrow": addrow,
     "bomb": bomb}[sys.argv[1]](*sys.argv[2:])
