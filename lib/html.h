/*
 * html — escaping for HTML text and attribute values.
 *
 * Everything a page shows that did not come from a string literal in C
 * goes through html_escape(): answers, labels, study titles, errors.
 */
#ifndef MSP_HTML_H
#define MSP_HTML_H

#include "buf.h"

/* Appends s with & < > " ' replaced by character references; safe in
 * text and in quoted attribute values. */
void html_escape(struct buf *b, const char *s);

#endif
