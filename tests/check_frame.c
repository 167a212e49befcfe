/*
 * lib/frame and the identifier normalisation behind every pseudonym
 * (lib/secret): spellings that must agree, the pseudonym against an
 * HMAC computed here with OpenSSL directly, CSV lists merged and their
 * unreadable cells.  No database.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "csvmap.h"
#include "frame.h"
#include "secret.h"
#include "testdb.h"

/* A secret of 32 bytes 0x01..0x20, as secret_load() would hold it. */
static struct secret
test_secret(void)
{
	struct secret s;
	size_t i;

	s.len = 32;
	s.key = malloc(s.len);
	ck_assert_ptr_nonnull(s.key);
	for (i = 0; i < s.len; i++)
		s.key[i] = (unsigned char)(i + 1);
	return s;
}

static const char *
normalised(const char *identifier)
{
	static char out[256];
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);

	ck_assert_int_eq(secret_normalise_identifier(identifier, &b), MSP_OK);
	buf_putc(&b, '\0');
	snprintf(out, sizeof(out), "%s", b.data);
	buf_free(&b);
	return out;
}

START_TEST(normalise_spellings)
{
	/* expected texts written by hand from the rule in secret.h */
	static const char *const cases[][2] = {
		{ "MSP des Lilas, Albi", "msp des lilas albi" },
		{ "  msp  des\tlilas albi ", "msp des lilas albi" },
		{ "Maison de Santé d'Élven", "maison de sante d elven" },
		{ "MAISON DE SANTE D\xe2\x80\x99" "ELVEN",
		  "maison de sante d elven" },
		{ "Saint-Brieuc", "saint brieuc" },
		{ "l\xe2\x80\x99\xc3\x8e" "le\xe2\x80\x91Tudy", "l ile tudy" },
		{ "\xc5\x92uvre \xc3\x86gis", "oeuvre aegis" },
		{ "Ça & Là", "ca & la" },
		{ "440001234", "440001234" },
		{ "44 000 1234", "440001234" },
		{ "44.000.1234", "440001234" },
		{ " 44-000-1234 ", "440001234" },
		{ "2A 000 0123", "2a0000123" },
		{ "2b-000-0123", "2b0000123" },
		/* not FINESS numbers: kept as words */
		{ "44 000 123", "44 000 123" },
		{ "MSP 2000", "msp 2000" },
		{ "3A 000 0123", "3a 000 0123" },
		{ "\xe2\x80\x94 , .", "" },
		{ "Zoë × 2", "zoe × 2" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(strcmp(normalised(cases[i][0]), cases[i][1]) == 0,
			      "'%s' -> '%s', want '%s'", cases[i][0],
			      normalised(cases[i][0]), cases[i][1]);
}
END_TEST

/* The pseudonym is HMAC-SHA256(secret, "structure\n" + normalised),
 * computed here with OpenSSL's HMAC() on the expected text. */
START_TEST(pseudonym_is_hmac_of_normalised)
{
	struct secret s = test_secret();
	char a[CRYPTO_SHA256_HEX], b[CRYPTO_SHA256_HEX], want[65];
	unsigned char mac[EVP_MAX_MD_SIZE];
	const char msg[] = "structure\nmaison de sante d elven elven";
	unsigned int len = 0, i;
	struct msp_error err;

	ck_assert(HMAC(EVP_sha256(), s.key, (int)s.len,
		       (const unsigned char *)msg, strlen(msg), mac, &len));
	ck_assert_uint_eq(len, 32);
	for (i = 0; i < len; i++)
		snprintf(want + 2 * i, 3, "%02x", mac[i]);
	ck_assert_int_eq(secret_pseudonym(&s, "Maison de Santé d'Élven Elven",
					  a, &err), MSP_OK);
	ck_assert_int_eq(secret_pseudonym(&s, "MAISON DE SANTE D ELVEN, "
					  "ELVEN", b, &err), MSP_OK);
	ck_assert_str_eq(a, want);
	ck_assert_str_eq(b, want);
	ck_assert_int_eq(secret_pseudonym(&s, " - , ", a, &err), MSP_EINVAL);
	secret_clear(&s);
}
END_TEST

static struct csvmap *
map_of(const char *text)
{
	struct csvmap *map = NULL;
	struct msp_error err;

	ck_assert_msg(csvmap_parse(text, strlen(text), &map, &err) == MSP_OK,
		      "%s", err.message);
	return map;
}

static const char map_text[] =
	"\"FINESS\" = finess\n"
	"\"Nom\" = @ignore\n"
	"\"Type\" = structure_type\n"
	"    \"Maison de santé\" -> msp\n"
	"\"Dept\" = departement\n"
	"\"Sites\" = n_sites\n"
	"\"Fed\" = federation\n"
	"\"ACI\" = aci_signatory\n";

START_TEST(lists_merge_and_repeats_are_listed)
{
	static const char a[] =
		"FINESS,Nom,Type,Dept,Sites,Fed,ACI\n"
		"290000001,A,Maison de santé,29,1,,oui\n"
		"290000002,B,esp,2a,,,\n"
		"290000003,C,msp,1,2,fmsp-x,Non\n";
	static const char b[] =
		"FINESS;Nom;Type;Dept;Sites;Fed;ACI\n"
		"29 000 0002;B;esp;2A;3;;\n"
		"29.000.0001;A;msp;29;1;;\n";
	struct secret s = test_secret();
	struct csvmap *map = map_of(map_text);
	struct frame f = FRAME_INIT;
	struct msp_error err;
	size_t i, with_sites = 0;

	ck_assert_int_eq(frame_read(&f, map, "a.csv", a, strlen(a), &s, &err),
			 MSP_OK);
	ck_assert_int_eq(frame_read(&f, map, "b.csv", b, strlen(b), &s, &err),
			 MSP_OK);
	ck_assert_uint_eq(f.n_problems, 0);
	ck_assert_uint_eq(f.n, 5);
	ck_assert_int_eq(frame_merge(&f, &err), MSP_OK);
	ck_assert_uint_eq(f.n, 3);
	ck_assert_uint_eq(f.n_duplicates, 2);
	buf_putc(&f.duplicates, '\0');
	ck_assert_ptr_nonnull(strstr(f.duplicates.data, "a.csv:2 = b.csv:3\n"));
	ck_assert_ptr_nonnull(strstr(f.duplicates.data, "a.csv:3 = b.csv:2\n"));
	for (i = 0; i < f.n; i++) {
		const struct frame_row *r = &f.rows[i];

		ck_assert_str_eq(r->value[FRAME_STRUCTURE_TYPE],
				 r->line == 3 && r->file == 0 ? "esp" : "msp");
		if (r->file == 0 && r->line == 3) {
			/* 2a -> 2A; the sites the first list lacked */
			ck_assert_str_eq(r->value[FRAME_DEPARTEMENT], "2A");
			ck_assert_str_eq(r->value[FRAME_N_SITES], "3");
			with_sites++;
		}
		if (r->file == 0 && r->line == 4) {
			ck_assert_str_eq(r->value[FRAME_DEPARTEMENT], "01");
			ck_assert_str_eq(r->value[FRAME_FEDERATION], "fmsp-x");
			ck_assert_str_eq(r->value[FRAME_FEDERATION_MEMBER],
					 "oui");
			ck_assert_str_eq(r->value[FRAME_ACI_SIGNATORY], "f");
		}
	}
	ck_assert_uint_eq(with_sites, 1);
	frame_free(&f);
	csvmap_free(map);
	secret_clear(&s);
}
END_TEST

START_TEST(unreadable_cells_are_listed_by_line)
{
	static const char a[] =
		"FINESS,Nom,Type,Dept,Sites,Fed,ACI\n"
		"290000001,A,Centre,20,0,,peut-être\n"
		",B,msp,29,1,,\n"
		"290000003,C,msp,977,1000,Fed X,\n"
		"290000004,D,msp,976,999,,\n";
	struct secret s = test_secret();
	struct csvmap *map = map_of(map_text);
	struct frame f = FRAME_INIT;
	struct msp_error err;

	ck_assert_int_eq(frame_read(&f, map, "a.csv", a, strlen(a), &s, &err),
			 MSP_OK);
	buf_putc(&f.problems, '\0');
	ck_assert_uint_eq(f.n_problems, 8);
	ck_assert_ptr_nonnull(strstr(f.problems.data,
		"a.csv:2: colonne « Type » : type inconnu"));
	ck_assert_ptr_nonnull(strstr(f.problems.data,
		"a.csv:2: colonne « Dept » : département invalide"));
	ck_assert_ptr_nonnull(strstr(f.problems.data,
		"a.csv:2: colonne « Sites » : nombre de sites invalide"));
	ck_assert_ptr_nonnull(strstr(f.problems.data,
		"a.csv:2: colonne « ACI » : oui ou non attendu"));
	ck_assert_ptr_nonnull(strstr(f.problems.data,
		"a.csv:3: colonne « identifiant »"));
	ck_assert_ptr_nonnull(strstr(f.problems.data,
		"a.csv:4: colonne « Dept »"));
	ck_assert_ptr_nonnull(strstr(f.problems.data,
		"a.csv:4: colonne « Sites »"));
	ck_assert_ptr_nonnull(strstr(f.problems.data,
		"a.csv:4: colonne « Fed »"));
	/* only the good row is kept */
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.rows[0].line, 5);
	frame_free(&f);
	csvmap_free(map);
	secret_clear(&s);
}
END_TEST

START_TEST(unusable_mappings_are_refused)
{
	static const char list[] = "FINESS,Nom\n290000001,A\n";
	struct secret s = test_secret();
	struct frame f = FRAME_INIT;
	struct csvmap *map;
	struct msp_error err;

	map = map_of("\"FINESS\" = finess\n\"Absent\" = n_sites\n");
	ck_assert_int_eq(frame_read(&f, map, "l.csv", list, strlen(list), &s,
				    &err), MSP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "« Absent »"));
	csvmap_free(map);
	map = map_of("\"FINESS\" = finess\n\"Nom\" = colour\n");
	ck_assert_int_eq(frame_read(&f, map, "l.csv", list, strlen(list), &s,
				    &err), MSP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "« colour »"));
	csvmap_free(map);
	map = map_of("\"Nom\" = name\n");
	ck_assert_int_eq(frame_read(&f, map, "l.csv", list, strlen(list), &s,
				    &err), MSP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "n'identifie pas"));
	csvmap_free(map);
	map = map_of("\"FINESS\" = finess\n");
	ck_assert_int_eq(frame_read(&f, map, "l.csv", "a,\"b", 4, &s, &err),
			 MSP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "l.csv"));
	ck_assert_uint_eq(f.n, 0);
	frame_free(&f);
	csvmap_free(map);
	secret_clear(&s);
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *core = tcase_create("core");
	TCase *errors = tcase_create("errors");

	tcase_add_test(core, normalise_spellings);
	tcase_add_test(core, pseudonym_is_hmac_of_normalised);
	tcase_add_test(core, lists_merge_and_repeats_are_listed);
	tcase_add_test(errors, unreadable_cells_are_listed_by_line);
	tcase_add_test(errors, unusable_mappings_are_refused);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	return s;
}

int
main(void)
{
	return testdb_run(frame_suite());
}
