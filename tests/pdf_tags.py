"""Reads PDFs as outside readers do, for tests/pdf_tags.rs: PDFium (pypdfium2) gives each
page's structure tree with the text of every element's marked content, and page-validation
gives the PDF/UA-1 and PDF/A-3a rules the file fails. Prints one JSON object per PDF named on the
command line, one per line."""

import ctypes
import json
import sys

import page
import pypdfium2 as pdfium
import pypdfium2.raw as raw


def utf16(fn, *args):
    """A string from a PDFium call that fills a UTF-16LE buffer and returns its size."""
    size = fn(*args, None, 0)
    if size <= 2:
        return ""
    buf = (ctypes.c_ushort * (size // 2))()
    fn(*args, buf, size)
    return bytes(buf)[: size - 2].decode("utf-16-le")


def mark_texts(pdf_page, text_page):
    """Text by MCID, and how many text objects are in no marked-content sequence."""
    texts, unmarked = {}, 0
    for k in range(raw.FPDFPage_CountObjects(pdf_page)):
        obj = raw.FPDFPage_GetObject(pdf_page, k)
        if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_TEXT:
            continue
        mcid, artifact = None, False
        for m in range(raw.FPDFPageObj_CountMarks(obj)):
            mark = raw.FPDFPageObj_GetMark(obj, m)
            size = ctypes.c_ulong()
            buf = (ctypes.c_ushort * 64)()
            raw.FPDFPageObjMark_GetName(mark, buf, 128, ctypes.byref(size))
            name = bytes(buf)[: max(size.value - 2, 0)].decode("utf-16-le")
            if name == "Artifact":
                artifact = True
            value = ctypes.c_int()
            if raw.FPDFPageObjMark_GetParamIntValue(mark, b"MCID", ctypes.byref(value)):
                mcid = value.value
        if mcid is None:
            unmarked += not artifact
            continue
        text = utf16(raw.FPDFTextObj_GetText, obj, text_page)
        texts[mcid] = texts.get(mcid, "") + text
    return texts, unmarked


def element(elem, texts):
    """A structure element as a dict: type, alternative text, Scope, its text, its kids."""
    kids, text = [], ""
    for k in range(raw.FPDF_StructElement_CountChildren(elem)):
        child = raw.FPDF_StructElement_GetChildAtIndex(elem, k)
        if child:
            kid = element(child, texts)
            kids.append(kid)
            text += kid["text"]
        else:
            mcid = raw.FPDF_StructElement_GetChildMarkedContentID(elem, k)
            if mcid >= 0:
                text += texts.get(mcid, "")
    scope = None
    for a in range(raw.FPDF_StructElement_GetAttributeCount(elem)):
        attr = raw.FPDF_StructElement_GetAttributeAtIndex(elem, a)
        value = raw.FPDF_StructElement_Attr_GetValue(attr, b"Scope")
        if value:
            size = ctypes.c_ulong()
            buf = ctypes.create_string_buffer(64)
            if raw.FPDF_StructElement_Attr_GetStringValue(value, buf, 64, ctypes.byref(size)):
                scope = buf.raw[: size.value].decode("utf-16-le").rstrip("\0")
    return {
        "type": utf16(raw.FPDF_StructElement_GetType, elem),
        "alt": utf16(raw.FPDF_StructElement_GetAltText, elem),
        "scope": scope,
        "text": text,
        "kids": kids,
    }


def probe(path):
    pdf = pdfium.PdfDocument(path)
    pages = []
    for i in range(len(pdf)):
        pdf_page = pdf[i]
        text_page = pdf_page.get_textpage()
        texts, unmarked = mark_texts(pdf_page.raw, text_page.raw)
        tree = raw.FPDF_StructTree_GetForPage(pdf_page.raw)
        roots = []
        for k in range(raw.FPDF_StructTree_CountChildren(tree)):
            roots.append(element(raw.FPDF_StructTree_GetChildAtIndex(tree, k), texts))
        raw.FPDF_StructTree_Close(tree)
        links = 0
        for a in range(raw.FPDFPage_GetAnnotCount(pdf_page.raw)):
            annot = raw.FPDFPage_GetAnnot(pdf_page.raw, a)
            links += raw.FPDFAnnot_GetSubtype(annot) == raw.FPDF_ANNOT_LINK
            raw.FPDFPage_CloseAnnot(annot)
        pages.append({"roots": roots, "links": links, "unmarked_text": unmarked})
        text_page.close()
        pdf_page.close()
    pdf.close()
    failures = {}
    for profile in ("ua1", "3a"):
        for f in page.validate_pdf(path, profile=profile).failures:
            failures.setdefault(f.rule_id, f.message)
    return {"path": path, "pages": pages, "failures": failures}


for path in sys.argv[1:]:
    print(json.dumps(probe(path)))
