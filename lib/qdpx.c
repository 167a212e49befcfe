/*
 * qdpx — a study's coding project as REFI-QDA .qdpx (qdpx.h).
 *
 * project.qde follows Project-mrt2019.xsd (QDA-XML project 1.0):
 *   <Project name origin creationDateTime>
 *     <Users><User guid name/>+</Users>?
 *     <CodeBook><Codes>...</Codes></CodeBook>?
 *     <Sources><TextSource guid name plainTextPath="internal://G.txt">
 *        <PlainTextSelection guid name startPosition endPosition
 *                            creatingUser creationDateTime>
 *          <Coding guid creatingUser><CodeRef targetGUID/></Coding>
 *        </PlainTextSelection>* <NoteRef targetGUID/>*
 *     </TextSource>+</Sources>?
 *     <Notes><Note guid name creatingUser creationDateTime>
 *        <PlainTextContent/></Note>+</Notes>?
 *     <Sets>...</Sets>?
 *   </Project>
 * Guids that the database does not store (users, sources of answers,
 * codings inside selections) are name-based, md5 of a fixed prefix and
 * the row's key, so the same project exports the same guids again.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <libxml/xmlwriter.h>
#include <zip.h>

#include "alloc.h"
#include "buf.h"
#include "codebook.h"
#include "db.h"
#include "qdpx.h"

#define QDE_NS "urn:QDA-XML:project:1.0"

#define X(call) do { if ((call) < 0) goto xml_failed; } while (0)
#define BAD(s) ((const xmlChar *)(s))

/* REFI's xsd:dateTime, in UTC */
#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* $1 the study's slug */
static const char sql_study[] =
	"SELECT s.study_id, s.title_fr, " ISO("now()") " AS now"
	"  FROM msp.study s WHERE s.slug = $1";

/* $1 study id: everyone who coded or wrote a memo */
static const char sql_users[] =
	"SELECT u.coder, md5('msp:user:' || u.coder)::uuid::text AS guid"
	"  FROM (SELECT coder FROM msp.answer_code WHERE study_id = $1"
	"        UNION SELECT coder FROM msp.segment WHERE study_id = $1"
	"          AND start_pos IS NOT NULL"
	"        UNION SELECT author FROM msp.memo WHERE study_id = $1) u"
	" ORDER BY 1";

/* $1 study id: the sources, answers then transcripts, each with its
 * text; key joins them to their codings and memos */
static const char sql_sources[] =
	"SELECT 'a' || a.answer_id AS key,"
	"       md5('msp:answer:' || a.answer_id)::uuid::text AS guid,"
	"       'R' || a.response_id || ' ' || a.item_key AS name,"
	"       a.text_value AS body, 0 AS kind, a.answer_id AS ord"
	"  FROM msp.answer a JOIN msp.response r USING (response_id)"
	" WHERE r.study_id = $1 AND a.text_value IS NOT NULL AND NOT r.test"
	" UNION ALL "
	"SELECT 'i' || i.interview_id, t.guid::text, 'P' || i.participant_no,"
	"       t.body, 1, i.participant_no"
	"  FROM msp.interview i JOIN msp.interview_transcript t"
	"    USING (interview_id)"
	" WHERE i.study_id = $1"
	" ORDER BY kind, ord";

/* $1 study id: every coding with a passage, by source */
static const char sql_codings[] =
	"SELECT 'a' || a.answer_id AS key, k.guid::text AS guid,"
	"       md5('msp:coding:' || k.guid)::uuid::text AS coding_guid,"
	"       c.guid::text AS code_guid, c.label_fr,"
	"       coalesce(k.start_pos, 0) AS start_pos,"
	"       coalesce(k.end_pos, char_length(a.text_value)) AS end_pos,"
	"       md5('msp:user:' || k.coder)::uuid::text AS user_guid,"
	"       " ISO("k.coded_at") " AS at, 0 AS kind, a.answer_id AS ord,"
	"       k.coding_id AS id"
	"  FROM msp.answer_code k"
	"  JOIN msp.answer a ON a.response_id = k.response_id"
	"   AND a.item_key = k.item_key AND a.text_value IS NOT NULL"
	"  JOIN msp.response r ON r.response_id = k.response_id"
	"  JOIN msp.study_code c ON c.study_id = k.study_id"
	"   AND c.code = k.code"
	" WHERE k.study_id = $1 AND NOT r.test"
	" UNION ALL "
	"SELECT 'i' || g.interview_id, g.guid::text,"
	"       md5('msp:coding:' || g.guid)::uuid::text, c.guid::text,"
	"       c.label_fr, g.start_pos, g.end_pos,"
	"       md5('msp:user:' || g.coder)::uuid::text,"
	"       " ISO("g.coded_at") ", 1, i.participant_no, g.segment_id"
	"  FROM msp.segment g"
	"  JOIN msp.interview i USING (interview_id)"
	"  JOIN msp.interview_transcript t USING (interview_id)"
	"  JOIN msp.study_code c ON c.study_id = g.study_id"
	"   AND c.code = g.code"
	" WHERE g.study_id = $1 AND g.start_pos IS NOT NULL"
	" ORDER BY kind, ord, start_pos, id";

/* $1 study id: memos, with the source they are about ('' for a code) */
static const char sql_memos[] =
	"SELECT m.guid::text AS guid,"
	"       coalesce('a' || a.answer_id, 'i' || m.interview_id, '')"
	"         AS key,"
	"       CASE WHEN m.code IS NOT NULL"
	"            THEN 'Mémo : code ' || c.label_fr"
	"            WHEN m.interview_id IS NOT NULL"
	"            THEN 'Mémo : entretien P' || i.participant_no"
	"            ELSE 'Mémo : réponse R' || m.response_id || ' '"
	"                 || m.item_key END AS name,"
	"       md5('msp:user:' || m.author)::uuid::text AS user_guid,"
	"       " ISO("m.written_at") " AS at, m.body"
	"  FROM msp.memo m"
	"  LEFT JOIN msp.study_code c ON c.study_id = m.study_id"
	"   AND c.code = m.code"
	"  LEFT JOIN msp.interview i ON i.interview_id = m.interview_id"
	"  LEFT JOIN msp.answer a ON a.response_id = m.response_id"
	"   AND a.item_key = m.item_key AND a.text_value IS NOT NULL"
	" WHERE m.study_id = $1 ORDER BY m.memo_id";

static enum msp_status
write_users(xmlTextWriterPtr w, const PGresult *users, struct msp_error *err)
{
	int i;

	if (PQntuples(users) == 0)
		return MSP_OK;
	X(xmlTextWriterStartElement(w, BAD("Users")));
	for (i = 0; i < PQntuples(users); i++) {
		X(xmlTextWriterStartElement(w, BAD("User")));
		X(xmlTextWriterWriteAttribute(w, BAD("guid"),
			BAD(db_text(users, i, "guid"))));
		X(xmlTextWriterWriteAttribute(w, BAD("name"),
			BAD(db_text(users, i, "coder"))));
		X(xmlTextWriterEndElement(w));
	}
	X(xmlTextWriterEndElement(w));
	return MSP_OK;
xml_failed:
	return msp_error_set(err, MSP_EIO, "écriture XML des codeurs");
}

/* One TextSource (row s of sources) with its selections (codings rows
 * from *c on, which are in the same order) and memo references. */
static int
write_source(xmlTextWriterPtr w, const PGresult *sources, int s,
	     const PGresult *codings, int *c, const PGresult *memos)
{
	const char *key = db_text(sources, s, "key");
	char path[64];
	int m;

	snprintf(path, sizeof(path), "internal://%s.txt",
		 db_text(sources, s, "guid"));
	if (xmlTextWriterStartElement(w, BAD("TextSource")) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD("guid"),
		BAD(db_text(sources, s, "guid"))) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD("name"),
		BAD(db_text(sources, s, "name"))) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD("plainTextPath"),
					BAD(path)) < 0)
		return -1;
	for (; *c < PQntuples(codings) &&
	       strcmp(db_text(codings, *c, "key"), key) == 0; (*c)++) {
		int r = *c;

		if (xmlTextWriterStartElement(w,
			BAD("PlainTextSelection")) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD("guid"),
			BAD(db_text(codings, r, "guid"))) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD("name"),
			BAD(db_text(codings, r, "label_fr"))) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD("startPosition"),
			BAD(db_text(codings, r, "start_pos"))) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD("endPosition"),
			BAD(db_text(codings, r, "end_pos"))) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD("creatingUser"),
			BAD(db_text(codings, r, "user_guid"))) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD("creationDateTime"),
			BAD(db_text(codings, r, "at"))) < 0 ||
		    xmlTextWriterStartElement(w, BAD("Coding")) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD("guid"),
			BAD(db_text(codings, r, "coding_guid"))) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD("creatingUser"),
			BAD(db_text(codings, r, "user_guid"))) < 0 ||
		    xmlTextWriterStartElement(w, BAD("CodeRef")) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD("targetGUID"),
			BAD(db_text(codings, r, "code_guid"))) < 0 ||
		    xmlTextWriterEndElement(w) < 0 ||	/* CodeRef */
		    xmlTextWriterEndElement(w) < 0 ||	/* Coding */
		    xmlTextWriterEndElement(w) < 0)	/* selection */
			return -1;
	}
	for (m = 0; m < PQntuples(memos); m++) {
		if (strcmp(db_text(memos, m, "key"), key) != 0)
			continue;
		if (xmlTextWriterStartElement(w, BAD("NoteRef")) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD("targetGUID"),
			BAD(db_text(memos, m, "guid"))) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	return xmlTextWriterEndElement(w);
}

static enum msp_status
write_notes(xmlTextWriterPtr w, const PGresult *memos, struct msp_error *err)
{
	int i;

	if (PQntuples(memos) == 0)
		return MSP_OK;
	X(xmlTextWriterStartElement(w, BAD("Notes")));
	for (i = 0; i < PQntuples(memos); i++) {
		X(xmlTextWriterStartElement(w, BAD("Note")));
		X(xmlTextWriterWriteAttribute(w, BAD("guid"),
			BAD(db_text(memos, i, "guid"))));
		X(xmlTextWriterWriteAttribute(w, BAD("name"),
			BAD(db_text(memos, i, "name"))));
		X(xmlTextWriterWriteAttribute(w, BAD("creatingUser"),
			BAD(db_text(memos, i, "user_guid"))));
		X(xmlTextWriterWriteAttribute(w, BAD("creationDateTime"),
			BAD(db_text(memos, i, "at"))));
		X(xmlTextWriterWriteElement(w, BAD("PlainTextContent"),
			BAD(db_text(memos, i, "body"))));
		X(xmlTextWriterEndElement(w));
	}
	X(xmlTextWriterEndElement(w));
	return MSP_OK;
xml_failed:
	return msp_error_set(err, MSP_EIO, "écriture XML des mémos");
}

/* The whole project.qde into xb. */
static enum msp_status
write_project(xmlBufferPtr xb, const PGresult *study,
	      const struct codebook *cb, const PGresult *users,
	      const PGresult *sources, const PGresult *codings,
	      const PGresult *memos, struct msp_error *err)
{
	xmlTextWriterPtr w = xmlNewTextWriterMemory(xb, 0);
	enum msp_status st = MSP_OK;
	int s, c = 0;

	if (w == NULL)
		return msp_error_set(err, MSP_ENOMEM, "project.qde");
	X(xmlTextWriterSetIndent(w, 1));
	X(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
	X(xmlTextWriterStartElement(w, BAD("Project")));
	X(xmlTextWriterWriteAttribute(w, BAD("xmlns"), BAD(QDE_NS)));
	X(xmlTextWriterWriteAttribute(w, BAD("name"),
				      BAD(db_text(study, 0, "title_fr"))));
	X(xmlTextWriterWriteAttribute(w, BAD("origin"),
				      BAD(PACKAGE_NAME " " PACKAGE_VERSION)));
	X(xmlTextWriterWriteAttribute(w, BAD("creationDateTime"),
				      BAD(db_text(study, 0, "now"))));
	if ((st = write_users(w, users, err)) != MSP_OK)
		goto out;
	if (cb->n > 0) {
		X(xmlTextWriterStartElement(w, BAD("CodeBook")));
		if ((st = codebook_write_codes(w, cb, err)) != MSP_OK)
			goto out;
		X(xmlTextWriterEndElement(w));
	}
	if (PQntuples(sources) > 0) {
		X(xmlTextWriterStartElement(w, BAD("Sources")));
		for (s = 0; s < PQntuples(sources); s++)
			X(write_source(w, sources, s, codings, &c, memos));
		X(xmlTextWriterEndElement(w));
	}
	if ((st = write_notes(w, memos, err)) != MSP_OK ||
	    (st = codebook_write_sets(w, cb, "targetGUID", err)) != MSP_OK)
		goto out;
	X(xmlTextWriterEndElement(w));
	X(xmlTextWriterEndDocument(w));
	goto out;
xml_failed:
	st = msp_error_set(err, MSP_EIO, "écriture XML de project.qde");
out:
	xmlFreeTextWriter(w);	/* flushes into xb */
	return st;
}

static enum msp_status
zip_failed(zip_t *z, const char *what, struct msp_error *err)
{
	return msp_error_set(err, MSP_EIO, "%s : %s", what,
			     zip_strerror(z));
}

/* Adds len bytes at data (which must outlive zip_close) as name. */
static enum msp_status
archive_add(zip_t *z, const char *name, const void *data, size_t len,
	struct msp_error *err)
{
	zip_source_t *src = zip_source_buffer(z, data, len, 0);

	if (src == NULL)
		return zip_failed(z, name, err);
	if (zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8 |
			 ZIP_FL_OVERWRITE) < 0) {
		zip_source_free(src);
		return zip_failed(z, name, err);
	}
	return MSP_OK;
}

enum msp_status
qdpx_export(PGconn *conn, const char *study, const char *path,
	    struct msp_error *err)
{
	PGresult *st_res = NULL, *users = NULL, *sources = NULL;
	PGresult *codings = NULL, *memos = NULL;
	struct codebook cb;
	xmlBufferPtr xb = NULL;
	zip_t *z = NULL;
	const char *params[1];
	enum msp_status st;
	char name[64];
	int zerr = 0, i;

	codebook_init(&cb);
	params[0] = study;	/* $1 the study's slug */
	st = db_exec(conn, "qdpx: study", sql_study, 1, params,
		     PGRES_TUPLES_OK, &st_res, err);
	if (st != MSP_OK)
		goto out;
	if (PQntuples(st_res) == 0) {
		st = msp_error_set(err, MSP_EINVAL, "aucune étude « %s »",
				   study);
		goto out;
	}
	params[0] = db_text(st_res, 0, "study_id");	/* $1 study id */
	if ((st = codebook_load(conn, study, &cb, err)) != MSP_OK ||
	    (st = db_exec(conn, "qdpx: users", sql_users, 1, params,
			  PGRES_TUPLES_OK, &users, err)) != MSP_OK ||
	    (st = db_exec(conn, "qdpx: sources", sql_sources, 1, params,
			  PGRES_TUPLES_OK, &sources, err)) != MSP_OK ||
	    (st = db_exec(conn, "qdpx: codings", sql_codings, 1, params,
			  PGRES_TUPLES_OK, &codings, err)) != MSP_OK ||
	    (st = db_exec(conn, "qdpx: memos", sql_memos, 1, params,
			  PGRES_TUPLES_OK, &memos, err)) != MSP_OK)
		goto out;
	if ((xb = xmlBufferCreate()) == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "project.qde");
		goto out;
	}
	st = write_project(xb, st_res, &cb, users, sources, codings, memos,
			   err);
	if (st != MSP_OK)
		goto out;
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (z == NULL) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, zerr);
		st = msp_error_set(err, MSP_EIO, "%s : %s", path,
				   zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto out;
	}
	if ((st = archive_add(z, "project.qde", xmlBufferContent(xb),
			  (size_t)xmlBufferLength(xb), err)) != MSP_OK)
		goto out;
	for (i = 0; i < PQntuples(sources); i++) {
		const char *body = db_text(sources, i, "body");

		snprintf(name, sizeof(name), "Sources/%s.txt",
			 db_text(sources, i, "guid"));
		if ((st = archive_add(z, name, body, strlen(body), err)) !=
		    MSP_OK)
			goto out;
	}
	if (zip_close(z) != 0) {
		st = zip_failed(z, path, err);
		goto out;
	}
	z = NULL;
out:
	if (z != NULL)
		zip_discard(z);
	if (xb != NULL)
		xmlBufferFree(xb);
	codebook_free(&cb);
	PQclear(st_res);
	PQclear(users);
	PQclear(sources);
	PQclear(codings);
	PQclear(memos);
	return st;
}

/* --- reading a .qdpx's codebook ------------------------------------- */

/*
 * project.qde of the open archive z into a new buffer (msp_malloc, NUL
 * added), reading at most CODEBOOK_MAX_PROJECT bytes whatever the
 * archive's directory claims (a zip states sizes it need not honour).
 */
static enum msp_status
read_project(zip_t *z, const char *path, char **out, size_t *len,
	     struct msp_error *err)
{
	zip_file_t *f = zip_fopen(z, "project.qde", 0);
	size_t cap = 1 << 16, n = 0;
	char *data = NULL, *grown;
	zip_int64_t got;
	enum msp_status st = MSP_OK;

	*out = NULL;
	if (f == NULL)
		return msp_error_set(err, MSP_EINVAL, "%s : pas de "
				     "project.qde dans l'archive (pas un "
				     "projet REFI-QDA)", path);
	if ((data = msp_malloc(cap + 1)) == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "project.qde");
		goto out;
	}
	for (;;) {
		if (n == cap) {
			if (cap > CODEBOOK_MAX_PROJECT) {
				st = msp_error_set(err, MSP_EINVAL, "%s : "
						   "project.qde de plus de "
						   "%zu octets", path,
						   CODEBOOK_MAX_PROJECT);
				goto out;
			}
			cap *= 2;
			if ((grown = msp_realloc(data, cap + 1)) == NULL) {
				st = msp_error_set(err, MSP_ENOMEM,
						   "project.qde");
				goto out;
			}
			data = grown;
		}
		got = zip_fread(f, data + n, cap - n);
		if (got < 0) {
			st = msp_error_set(err, MSP_EINVAL, "%s : "
					   "project.qde illisible : %s", path,
					   zip_file_strerror(f));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	data[n] = '\0';
	*out = data;
	*len = n;
	data = NULL;
out:
	msp_free(data);
	zip_fclose(f);
	return st;
}

enum msp_status
qdpx_read_codebook(const char *path, struct codebook *cb,
		   struct msp_error *err)
{
	zip_t *z;
	char *xml = NULL;
	size_t len = 0;
	enum msp_status st;
	int zerr = 0;

	z = zip_open(path, ZIP_RDONLY, &zerr);
	if (z == NULL) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, zerr);
		st = msp_error_set(err, MSP_EINVAL, "%s : pas une archive "
				   ".qdpx lisible (%s)", path,
				   zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return st;
	}
	st = read_project(z, path, &xml, &len, err);
	if (st == MSP_OK)
		st = codebook_parse_project(xml, len, cb, err);
	msp_free(xml);
	zip_discard(z);	/* read only: nothing to write back */
	return st;
}
