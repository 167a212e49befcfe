/*
 * codebook — a study's codebook as a REFI-QDA .qdc and back (codebook.h).
 *
 * The REFI-QDA Codebook Exchange format (REFI-QDA 1.5, Codebook.xsd):
 *   <CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="...">
 *     <Codes><Code guid name isCodable [color]>
 *                <Description/>? <Code/>* </Code>+ </Codes>
 *     <Sets><Set guid name><Description/>? <MemberCode guid/>*</Set>+
 *     </Sets>?
 *   </CodeBook>
 * A code's kind and HAS categories ride in Sets (codebook.h).
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "alloc.h"
#include "codebook.h"
#include "crypto.h"
#include "db.h"
#include "utf8.h"

#define QDC_NS "urn:QDA-XML:codebook:1.0"
/* A .qdpx's project.qde: its <CodeBook> holds the same <Codes> in this
 * namespace, and its <Sets> (a child of <Project>) name members by
 * targetGUID (Project-mrt2019.xsd). */
#define QDE_NS "urn:QDA-XML:project:1.0"
/* Deepest code tree read or written: the schema sets none; a real
 * codebook has three or four levels. */
#define MAX_DEPTH 32
/* Longest name and description read, in characters (0039's CHECK on
 * definition_fr; a name is a label for people). */
#define MAX_NAME_CHARS 500
#define MAX_DESCRIPTION_CHARS 10000

static const char *const kinds[] = {
	"frein", "levier", "resource_need", "maturity", "other",
};

void
codebook_init(struct codebook *cb)
{
	cb->codes = NULL;
	cb->n = cb->cap = 0;
}

static void
code_free(struct cb_code *c)
{
	msp_free(c->code);
	msp_free(c->kind);
	msp_free(c->label);
	msp_free(c->definition);
	msp_free(c->parent);
	msp_free(c->guid);
	msp_free(c->has);
}

void
codebook_free(struct codebook *cb)
{
	size_t i;

	if (cb == NULL)
		return;
	for (i = 0; i < cb->n; i++)
		code_free(&cb->codes[i]);
	msp_free(cb->codes);
	codebook_init(cb);
}

/* A new zeroed code at the end of cb; NULL when out of memory. */
static struct cb_code *
code_new(struct codebook *cb)
{
	if (cb->n == cb->cap) {
		size_t cap = cb->cap ? 2 * cb->cap : 16;
		struct cb_code *p = msp_realloc(cb->codes, cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		cb->codes = p;
		cb->cap = cap;
	}
	memset(&cb->codes[cb->n], 0, sizeof(cb->codes[0]));
	return &cb->codes[cb->n++];
}

/* msp_strdup of s, or of NULL: NULL; *failed set when out of memory. */
static char *
dup_or_null(const char *s, int *failed)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = msp_strdup(s)) == NULL)
		*failed = 1;
	return d;
}

/* --- reading the database ------------------------------------------------ */

/* $1 the study's slug.  has: NULL undecided, '' none, else the list. */
static const char sql_codes[] =
	"SELECT c.code, c.kind::text AS kind, c.label_fr, c.definition_fr,"
	"       c.parent, c.guid::text AS guid,"
	"       CASE WHEN c.has_none THEN '' ELSE"
	"        (SELECT string_agg(x.has_code, ',' ORDER BY x.has_code)"
	"           FROM msp.crosswalk x"
	"          WHERE x.study_id = c.study_id AND x.code = c.code) END"
	"         AS has"
	"  FROM msp.study_code c JOIN msp.study s USING (study_id)"
	" WHERE s.slug = $1"
	/* byte order, so that a file is the same on every machine */
	" ORDER BY c.label_fr COLLATE \"C\", c.guid";

static const char *
opt_text(const PGresult *res, int row, const char *col)
{
	int f = PQfnumber(res, col);

	return PQgetisnull(res, row, f) ? NULL : PQgetvalue(res, row, f);
}

/* Appends row r and then its descendants (rows whose parent is its
 * code), depth first, siblings in the result's order. */
static enum msp_status
load_tree(const PGresult *res, int r, int depth, struct codebook *cb,
	  struct msp_error *err)
{
	struct cb_code *c;
	int failed = 0, i, n = PQntuples(res);
	const char *code = db_text(res, r, "code");
	enum msp_status st;

	if (depth > MAX_DEPTH)
		return msp_error_set(err, MSP_EINVAL, "livre de codes : plus "
				     "de %d niveaux sous « %s »", MAX_DEPTH,
				     code);
	if ((c = code_new(cb)) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "livre de codes");
	c->code = dup_or_null(code, &failed);
	c->kind = dup_or_null(db_text(res, r, "kind"), &failed);
	c->label = dup_or_null(db_text(res, r, "label_fr"), &failed);
	c->definition = dup_or_null(db_text(res, r, "definition_fr"),
				    &failed);
	c->parent = dup_or_null(opt_text(res, r, "parent"), &failed);
	c->guid = dup_or_null(db_text(res, r, "guid"), &failed);
	c->has = dup_or_null(opt_text(res, r, "has"), &failed);
	if (failed)
		return msp_error_set(err, MSP_ENOMEM, "livre de codes");
	for (i = 0; i < n; i++) {
		const char *p = opt_text(res, i, "parent");

		if (p != NULL && strcmp(p, code) == 0 &&
		    (st = load_tree(res, i, depth + 1, cb, err)) != MSP_OK)
			return st;
	}
	return MSP_OK;
}

enum msp_status
codebook_load(PGconn *conn, const char *study, struct codebook *cb,
	      struct msp_error *err)
{
	const char *params[1] = { study };	/* $1 the study's slug */
	PGresult *res = NULL;
	enum msp_status st;
	int i;

	st = db_exec(conn, "codebook: study", "SELECT 1 FROM msp.study"
		     " WHERE slug = $1", 1, params, PGRES_TUPLES_OK, &res,
		     err);
	if (st != MSP_OK)
		return st;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return msp_error_set(err, MSP_EINVAL, "aucune étude « %s »",
				     study);
	}
	PQclear(res);
	res = NULL;
	st = db_exec(conn, "codebook: codes", sql_codes, 1, params,
		     PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++)
		if (opt_text(res, i, "parent") == NULL &&
		    (st = load_tree(res, i, 0, cb, err)) != MSP_OK)
			goto out;
out:
	PQclear(res);
	if (st != MSP_OK)
		codebook_free(cb);
	return st;
}

/* --- writing ---------------------------------------------------------- */

#define X(call) do { if ((call) < 0) goto xml_failed; } while (0)
#define BAD(s) ((const xmlChar *)(s))

enum msp_status
codebook_name_guid(const char *name, char out[37], struct msp_error *err)
{
	char hex[CRYPTO_SHA256_HEX];
	enum msp_status st;

	st = crypto_sha256_hex(name, strlen(name), hex, err);
	if (st != MSP_OK)
		return st;
	/* the first 128 bits, as 8-4-4-4-12 */
	memcpy(out, hex, 8);
	out[8] = '-';
	memcpy(out + 9, hex + 8, 4);
	out[13] = '-';
	memcpy(out + 14, hex + 12, 4);
	out[18] = '-';
	memcpy(out + 19, hex + 16, 4);
	out[23] = '-';
	memcpy(out + 24, hex + 20, 12);
	out[36] = '\0';
	return MSP_OK;
}

static int
write_code(xmlTextWriterPtr w, const struct codebook *cb, size_t i)
{
	const struct cb_code *c = &cb->codes[i];
	size_t j;

	if (xmlTextWriterStartElement(w, BAD("Code")) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD("guid"), BAD(c->guid)) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD("name"), BAD(c->label)) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD("isCodable"),
					BAD("true")) < 0)
		return -1;
	if (c->definition[0] != '\0' &&
	    xmlTextWriterWriteElement(w, BAD("Description"),
				      BAD(c->definition)) < 0)
		return -1;
	/* codebook_load put the children right after, in order; a child's
	 * own children follow it, so scan the whole rest */
	for (j = i + 1; j < cb->n; j++)
		if (cb->codes[j].parent != NULL &&
		    strcmp(cb->codes[j].parent, c->code) == 0 &&
		    write_code(w, cb, j) < 0)
			return -1;
	return xmlTextWriterEndElement(w);
}

enum msp_status
codebook_write_codes(xmlTextWriterPtr w, const struct codebook *cb,
		     struct msp_error *err)
{
	size_t i;

	X(xmlTextWriterStartElement(w, BAD("Codes")));
	for (i = 0; i < cb->n; i++)
		if (cb->codes[i].parent == NULL)
			X(write_code(w, cb, i));
	X(xmlTextWriterEndElement(w));
	return MSP_OK;
xml_failed:
	return msp_error_set(err, MSP_EIO, "écriture XML du livre de codes");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether code c belongs to the Set named set ("msp:kind:frein",
 * "msp:has:H-F1", "msp:has:none"). */
static int
in_set(const struct cb_code *c, const char *set)
{
	size_t n;
	const char *p;

	if (strncmp(set, "msp:kind:", 9) == 0)
		return strcmp(c->kind, set + 9) == 0;
	if (c->has == NULL)
		return 0;
	if (strcmp(set, "msp:has:none") == 0)
		return c->has[0] == '\0';
	set += 8;
	n = strlen(set);
	for (p = c->has; *p != '\0'; p += strcspn(p, ",") + (p[strcspn(p,
	     ",")] == ',')) {
		if (strncmp(p, set, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

enum msp_status
codebook_write_sets(xmlTextWriterPtr w, const struct codebook *cb,
		    const char *member_attr, struct msp_error *err)
{
	struct buf names = BUF_INIT(BUF_MAX_TEXT);
	const char **list = NULL, *p;
	char guid[37];
	size_t n = 0, i, j;
	enum msp_status st;

	if (cb->n == 0)
		return MSP_OK;
	/* every set name, NUL-separated, duplicates removed after sort */
	for (i = 0; i < cb->n; i++) {
		const char *h = cb->codes[i].has;

		buf_printf(&names, "msp:kind:%s", cb->codes[i].kind);
		buf_putc(&names, '\0');
		n++;
		if (h == NULL)
			continue;
		if (*h == '\0') {
			buf_append(&names, "msp:has:none", 13);
			n++;
		}
		while (*h != '\0') {
			size_t len = strcspn(h, ",");

			buf_puts(&names, "msp:has:");
			buf_append(&names, h, len);
			buf_putc(&names, '\0');
			n++;
			h += len + (h[len] == ',');
		}
	}
	if ((st = buf_status(&names, err)) != MSP_OK)
		goto out;
	if ((list = msp_calloc(n, sizeof(*list))) == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "livre de codes");
		goto out;
	}
	/* buf_str: the buffer's bytes, NUL-separated strings */
	for (i = 0, p = buf_str(&names); i < n; i++) {
		list[i] = p;
		p += strlen(p) + 1;
	}
	qsort(list, n, sizeof(*list), cmp_str);
	st = MSP_EIO;
	X(xmlTextWriterStartElement(w, BAD("Sets")));
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(list[i], list[i - 1]) == 0)
			continue;
		if ((st = codebook_name_guid(list[i], guid, err)) != MSP_OK)
			goto out;
		st = MSP_EIO;
		X(xmlTextWriterStartElement(w, BAD("Set")));
		X(xmlTextWriterWriteAttribute(w, BAD("guid"), BAD(guid)));
		X(xmlTextWriterWriteAttribute(w, BAD("name"), BAD(list[i])));
		for (j = 0; j < cb->n; j++) {
			if (!in_set(&cb->codes[j], list[i]))
				continue;
			X(xmlTextWriterStartElement(w, BAD("MemberCode")));
			X(xmlTextWriterWriteAttribute(w, BAD(member_attr),
					BAD(cb->codes[j].guid)));
			X(xmlTextWriterEndElement(w));
		}
		X(xmlTextWriterEndElement(w));
	}
	X(xmlTextWriterEndElement(w));
	st = MSP_OK;
	goto out;
xml_failed:
	st = msp_error_set(err, MSP_EIO, "écriture XML des ensembles");
out:
	msp_free(list);
	buf_free(&names);
	return st;
}

enum msp_status
codebook_qdc(const struct codebook *cb, struct buf *out,
	     struct msp_error *err)
{
	xmlBufferPtr xb = NULL;
	xmlTextWriterPtr w = NULL;
	enum msp_status st = MSP_OK;

	if (cb->n == 0)
		return msp_error_set(err, MSP_EINVAL, "le livre de codes est "
				     "vide : un fichier .qdc en demande au "
				     "moins un");
	if ((xb = xmlBufferCreate()) == NULL ||
	    (w = xmlNewTextWriterMemory(xb, 0)) == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "livre de codes");
		goto out;
	}
	X(xmlTextWriterSetIndent(w, 1));
	X(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
	X(xmlTextWriterStartElement(w, BAD("CodeBook")));
	X(xmlTextWriterWriteAttribute(w, BAD("xmlns"), BAD(QDC_NS)));
	X(xmlTextWriterWriteAttribute(w, BAD("origin"),
				      BAD(PACKAGE_NAME " " PACKAGE_VERSION)));
	if ((st = codebook_write_codes(w, cb, err)) != MSP_OK ||
	    (st = codebook_write_sets(w, cb, "guid", err)) != MSP_OK)
		goto out;
	X(xmlTextWriterEndElement(w));
	X(xmlTextWriterEndDocument(w));
	xmlFreeTextWriter(w);	/* flushes into xb */
	w = NULL;
	buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	st = buf_status(out, err);
	goto out;
xml_failed:
	st = msp_error_set(err, MSP_EIO, "écriture XML du livre de codes");
out:
	if (w != NULL)
		xmlFreeTextWriter(w);
	if (xb != NULL)
		xmlBufferFree(xb);
	return st;
}

/* --- reading a .qdc --------------------------------------------------- */

/* Lower-case 8-4-4-4-12 form of a REFI GUID (also "{...}") into out;
 * 0, or -1 when s is not one. */
static int
guid_normal(const char *s, char out[37])
{
	size_t len = strlen(s), i;

	if (len == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		len = 36;
	}
	if (len != 36)
		return -1;
	for (i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return -1;
			out[i] = c;
		} else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
			out[i] = c;
		else if (c >= 'A' && c <= 'F')
			out[i] = (char)(c - 'A' + 'a');
		else
			return -1;
	}
	out[36] = '\0';
	return 0;
}

/* Folds the UTF-8 character at s (French letters) to ASCII in out
 * (at most 2 bytes, NUL-terminated); returns its length in bytes, or 0
 * for an unknown character (out is then ""). */
static size_t
fold(const unsigned char *s, char out[3])
{
	static const struct { const char *utf8, *ascii; } table[] = {
		{ "à", "a" }, { "â", "a" }, { "ä", "a" }, { "ç", "c" },
		{ "é", "e" }, { "è", "e" }, { "ê", "e" }, { "ë", "e" },
		{ "î", "i" }, { "ï", "i" }, { "ô", "o" }, { "ö", "o" },
		{ "ù", "u" }, { "û", "u" }, { "ü", "u" }, { "ÿ", "y" },
		{ "œ", "oe" }, { "æ", "ae" },
		{ "À", "a" }, { "Â", "a" }, { "Ç", "c" }, { "É", "e" },
		{ "È", "e" }, { "Ê", "e" }, { "Ë", "e" }, { "Î", "i" },
		{ "Ï", "i" }, { "Ô", "o" }, { "Ù", "u" }, { "Û", "u" },
		{ "Œ", "oe" }, { "Æ", "ae" },
	};
	size_t i;

	out[0] = '\0';
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t n = strlen(table[i].utf8);

		if (memcmp(s, table[i].utf8, n) == 0) {
			memcpy(out, table[i].ascii,
			       strlen(table[i].ascii) + 1);
			return n;
		}
	}
	return 0;
}

void
codebook_key(const char *name, char out[64])
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = 0;
	int gap = 0;

	while (*s != '\0' && n < 63) {
		char f[3];
		size_t len;

		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) {
			f[0] = (char)*s, f[1] = '\0';
			len = 1;
		} else if (*s >= 'A' && *s <= 'Z') {
			f[0] = (char)(*s - 'A' + 'a'), f[1] = '\0';
			len = 1;
		} else if ((len = fold(s, f)) == 0) {
			/* anything else, one UTF-8 character: a gap */
			len = 1;
			while ((s[len] & 0xc0) == 0x80)
				len++;
		}
		s += len;
		if (f[0] == '\0') {
			gap = 1;
			continue;
		}
		if (gap && n > 0 && n < 62)
			out[n++] = '_';
		gap = 0;
		for (len = 0; f[len] != '\0' && n < 63; len++)
			out[n++] = f[len];
	}
	if (n == 0) {
		memcpy(out, "code", 5);
		return;
	}
	out[n] = '\0';
}

/* Whether s is a name for people: valid UTF-8 (libxml2 checked it),
 * not blank, no control character, at most MAX_NAME_CHARS. */
static int
valid_name(const char *s)
{
	size_t i;
	int blank = 1;

	if (utf8_length(s) > MAX_NAME_CHARS)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		if (s[i] != ' ')
			blank = 0;
	}
	return !blank;
}

/* The attribute name of node, or NULL; the caller xmlFree()s it. */
static char *
attr(xmlNodePtr node, const char *name)
{
	return (char *)xmlGetProp(node, BAD(name));
}

/* Whether node is element name of namespace ns (QDC_NS or QDE_NS:
 * the document being read says which). */
static int
is(xmlNodePtr node, const char *ns, const char *name)
{
	return node->type == XML_ELEMENT_NODE &&
	       xmlStrcmp(node->name, BAD(name)) == 0 && node->ns != NULL &&
	       xmlStrcmp(node->ns->href, BAD(ns)) == 0;
}

static int
key_taken(const struct codebook *cb, const char *key)
{
	size_t i;

	for (i = 0; i < cb->n; i++)
		if (strcmp(cb->codes[i].code, key) == 0)
			return 1;
	return 0;
}

/* Reads Code element node (and its children) under parent (a key, or
 * NULL); depth counts levels. */
static enum msp_status
parse_code(xmlNodePtr node, const char *ns, const char *parent, int depth,
	   struct codebook *cb, struct msp_error *err)
{
	char *guid = attr(node, "guid"), *name = attr(node, "name");
	char g[37], key[64], *desc = NULL;
	struct cb_code *c;
	enum msp_status st = MSP_OK;
	xmlNodePtr k;
	size_t i;
	int failed = 0;

	if (depth > MAX_DEPTH) {
		st = msp_error_set(err, MSP_EINVAL, "plus de %d niveaux de "
				   "codes (ligne %ld)", MAX_DEPTH,
				   xmlGetLineNo(node));
		goto out;
	}
	if (guid == NULL || guid_normal(guid, g) != 0) {
		st = msp_error_set(err, MSP_EINVAL, "Code sans guid valide "
				   "(ligne %ld)", xmlGetLineNo(node));
		goto out;
	}
	if (name == NULL || !valid_name(name)) {
		st = msp_error_set(err, MSP_EINVAL, "Code %s : nom absent, "
				   "vide, trop long ou avec des caractères de "
				   "contrôle (ligne %ld)", g,
				   xmlGetLineNo(node));
		goto out;
	}
	if (cb->n == CODEBOOK_MAX_CODES) {
		st = msp_error_set(err, MSP_EINVAL, "plus de %d codes",
				   CODEBOOK_MAX_CODES);
		goto out;
	}
	for (i = 0; i < cb->n; i++)
		if (strcmp(cb->codes[i].guid, g) == 0) {
			st = msp_error_set(err, MSP_EINVAL, "le guid %s est "
					   "celui de deux codes (ligne %ld)",
					   g, xmlGetLineNo(node));
			goto out;
		}
	for (k = node->children; k != NULL; k = k->next)
		if (is(k, ns, "Description")) {
			desc = (char *)xmlNodeGetContent(k);
			if (desc != NULL &&
			    utf8_length(desc) > MAX_DESCRIPTION_CHARS) {
				st = msp_error_set(err, MSP_EINVAL, "Code %s "
					": description de plus de %d "
					"caractères", g,
					MAX_DESCRIPTION_CHARS);
				goto out;
			}
			break;
		}
	/* the key: from the name, made unique */
	codebook_key(name, key);
	if (key_taken(cb, key)) {
		char base[64];
		int n;

		memcpy(base, key, sizeof(base));
		base[58] = '\0';	/* room for "_9999" */
		for (n = 2; key_taken(cb, key); n++)
			snprintf(key, sizeof(key), "%s_%d", base, n);
	}
	if ((c = code_new(cb)) == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "livre de codes");
		goto out;
	}
	c->code = dup_or_null(key, &failed);
	c->kind = dup_or_null("other", &failed);
	c->label = dup_or_null(name, &failed);
	c->definition = dup_or_null(desc != NULL ? desc : "", &failed);
	c->parent = dup_or_null(parent, &failed);
	c->guid = dup_or_null(g, &failed);
	if (failed) {
		st = msp_error_set(err, MSP_ENOMEM, "livre de codes");
		goto out;
	}
	for (k = node->children; k != NULL; k = k->next)
		if (is(k, ns, "Code") &&
		    (st = parse_code(k, ns, key, depth + 1, cb, err)) !=
		    MSP_OK)
			goto out;
out:
	xmlFree(guid);
	xmlFree(name);
	xmlFree(desc);
	return st;
}

static struct cb_code *
by_guid(struct codebook *cb, const char *g)
{
	size_t i;

	for (i = 0; i < cb->n; i++)
		if (strcmp(cb->codes[i].guid, g) == 0)
			return &cb->codes[i];
	return NULL;
}

/* Applies Set node (named name) to its members, named by their
 * member_attr ("guid" in a .qdc, "targetGUID" in a project): kind or
 * HAS. */
static enum msp_status
parse_set(xmlNodePtr set, const char *ns, const char *member_attr,
	  const char *name, struct codebook *cb, struct msp_error *err)
{
	xmlNodePtr m;
	size_t i;

	if (strncmp(name, "msp:kind:", 9) == 0) {
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strcmp(name + 9, kinds[i]) == 0)
				break;
		if (i == sizeof(kinds) / sizeof(kinds[0]))
			return msp_error_set(err, MSP_EINVAL, "ensemble « %s » "
					     ": type de code inconnu", name);
	} else if (strncmp(name, "msp:has:", 8) != 0 ||
		   strlen(name) > 8 + 16)
		return MSP_OK;	/* another tool's set */
	for (m = set->children; m != NULL; m = m->next) {
		char *guid, g[37], *s;
		struct cb_code *c;
		int bad;

		if (!is(m, ns, "MemberCode"))
			continue;
		guid = attr(m, member_attr);
		bad = guid == NULL || guid_normal(guid, g) != 0;
		xmlFree(guid);
		if (bad)
			return msp_error_set(err, MSP_EINVAL, "ensemble « %s » "
					     ": MemberCode sans guid valide "
					     "(ligne %ld)", name,
					     xmlGetLineNo(m));
		if ((c = by_guid(cb, g)) == NULL)
			return msp_error_set(err, MSP_EINVAL, "ensemble « %s » "
					     ": aucun code %s", name, g);
		if (name[4] == 'k') {
			s = msp_strdup(name + 9);
			if (s == NULL)
				return msp_error_set(err, MSP_ENOMEM, "sets");
			msp_free(c->kind);
			c->kind = s;
		} else if (strcmp(name, "msp:has:none") == 0) {
			if (c->has == NULL && (c->has = msp_strdup("")) ==
			    NULL)
				return msp_error_set(err, MSP_ENOMEM, "sets");
		} else {
			struct buf b = BUF_INIT(BUF_MAX_TEXT);
			enum msp_status st;

			if (c->has != NULL && c->has[0] != '\0') {
				buf_puts(&b, c->has);
				buf_putc(&b, ',');
			}
			buf_puts(&b, name + 8);
			if ((st = buf_status(&b, err)) != MSP_OK) {
				buf_free(&b);
				return st;
			}
			msp_free(c->has);
			c->has = buf_steal(&b);
			buf_free(&b);
			if (c->has == NULL)
				return msp_error_set(err, MSP_ENOMEM, "sets");
		}
	}
	return MSP_OK;
}

/* What tells a .qdc from a project.qde to the reader below. */
struct doc_shape {
	const char *ns;		/* QDC_NS, QDE_NS */
	const char *root;	/* CodeBook, Project */
	int codes_in_codebook;	/* Codes under a CodeBook child of root */
	const char *member_attr;	/* MemberCode's guid, targetGUID */
	const char *what;	/* for the messages: ".qdc", "project.qde" */
};

static const struct doc_shape qdc_shape = {
	QDC_NS, "CodeBook", 0, "guid", ".qdc",
};
static const struct doc_shape qde_shape = {
	QDE_NS, "Project", 1, "targetGUID", "project.qde",
};

/* The codes of the <Codes> children of parent. */
static enum msp_status
parse_codes(xmlNodePtr parent, const struct doc_shape *sh, int *seen,
	    struct codebook *cb, struct msp_error *err)
{
	enum msp_status st;
	xmlNodePtr n, s;

	for (n = parent->children; n != NULL; n = n->next) {
		if (!is(n, sh->ns, "Codes"))
			continue;
		*seen = 1;
		for (s = n->children; s != NULL; s = s->next)
			if (is(s, sh->ns, "Code") &&
			    (st = parse_code(s, sh->ns, NULL, 0, cb, err)) !=
			    MSP_OK)
				return st;
	}
	return MSP_OK;
}

/* codebook_parse_qdc() and codebook_parse_project(): the document's
 * shape differs, the codes and sets are read alike. */
static enum msp_status
parse_doc(const char *xml, size_t len, size_t max,
	  const struct doc_shape *sh, struct codebook *cb,
	  struct msp_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, n, s;
	enum msp_status st = MSP_OK;
	int codes = 0;

	if (len > max || len > (size_t)INT_MAX)
		return msp_error_set(err, MSP_EINVAL, "fichier %s de plus "
				     "de %zu octets", sh->what, max);
	/* NONET: never fetch; no NOENT: entities are not substituted;
	 * a DTD is refused below */
	doc = xmlReadMemory(xml, (int)len, sh->what, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	if (doc == NULL) {
		const xmlError *e = xmlGetLastError();

		return msp_error_set(err, MSP_EINVAL, "pas un document XML "
				     "bien formé (ligne %d)",
				     e != NULL ? e->line : 0);
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		st = msp_error_set(err, MSP_EINVAL, "un %s n'a pas de DTD "
				   "(refusée)", sh->what);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is(root, sh->ns, sh->root)) {
		st = msp_error_set(err, MSP_EINVAL, "l'élément racine n'est "
				   "pas %s de l'espace de noms %s", sh->root,
				   sh->ns);
		goto out;
	}
	if (!sh->codes_in_codebook)
		st = parse_codes(root, sh, &codes, cb, err);
	else
		for (n = root->children; n != NULL && st == MSP_OK;
		     n = n->next)
			if (is(n, sh->ns, "CodeBook"))
				st = parse_codes(n, sh, &codes, cb, err);
	if (st != MSP_OK)
		goto out;
	if (!codes || cb->n == 0) {
		st = msp_error_set(err, MSP_EINVAL, "aucun code (élément "
				   "Codes absent ou vide)");
		goto out;
	}
	for (n = root->children; n != NULL; n = n->next) {
		if (!is(n, sh->ns, "Sets"))
			continue;
		for (s = n->children; s != NULL; s = s->next) {
			char *name;

			if (!is(s, sh->ns, "Set"))
				continue;
			name = attr(s, "name");
			st = name == NULL ? MSP_OK :
			     parse_set(s, sh->ns, sh->member_attr, name, cb,
				       err);
			xmlFree(name);
			if (st != MSP_OK)
				goto out;
		}
	}
out:
	xmlFreeDoc(doc);
	if (st != MSP_OK)
		codebook_free(cb);
	return st;
}

enum msp_status
codebook_parse_qdc(const char *xml, size_t len, struct codebook *cb,
		   struct msp_error *err)
{
	return parse_doc(xml, len, CODEBOOK_MAX_FILE, &qdc_shape, cb, err);
}

enum msp_status
codebook_parse_project(const char *xml, size_t len, struct codebook *cb,
		       struct msp_error *err)
{
	return parse_doc(xml, len, CODEBOOK_MAX_PROJECT, &qde_shape, cb,
			 err);
}

/* --- storing ---------------------------------------------------------- */

enum msp_status
codebook_store(PGconn *conn, const char *study, const struct codebook *cb,
	       struct msp_error *err)
{
	struct buf has = BUF_INIT(BUF_MAX_TEXT);
	enum msp_status st = MSP_OK;
	size_t i;

	for (i = 0; i < cb->n; i++) {
		const struct cb_code *c = &cb->codes[i];
		const char *params[8];

		buf_reset(&has);
		if (c->has != NULL)
			buf_printf(&has, "{%s}", c->has);
		if ((st = buf_status(&has, err)) != MSP_OK)
			break;
		params[0] = study;		/* $1 the study's slug */
		params[1] = c->code;		/* $2 key */
		params[2] = c->kind;		/* $3 kind */
		params[3] = c->label;		/* $4 label */
		params[4] = c->definition;	/* $5 definition */
		params[5] = c->parent;		/* $6 parent's key, NULL */
		/* $7 HAS categories: NULL undecided, {} none */
		params[6] = c->has != NULL ? buf_str(&has) : NULL;
		params[7] = c->guid;		/* $8 REFI guid */
		st = db_exec(conn, "codebook: add",
			     "SELECT msp.codebook_add($1, $2,"
			     " $3::msp.code_kind, $4, $5, $6, $7::text[],"
			     " $8::uuid)", 8, params, PGRES_TUPLES_OK, NULL,
			     err);
		if (st != MSP_OK) {
			msp_error_prefix(err, "code « %s »", c->label);
			break;
		}
	}
	buf_free(&has);
	return st;
}
