/*
 * figure_id — one identity per figure (figure_id.h says which).
 *
 * Each field escaped, so that no two figures share an identity; the
 * whole written to a growable buffer or, snprintf's way, to the
 * caller's array with the length it needed, so that nothing is cut
 * unknown to the caller.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "report/figure_id.h"

/* Where an identity goes: b, or else out (size bytes), cut to fit and
 * NUL-terminated; len counts every byte put either way. */
struct idw {
	struct buf *b;
	char *out;
	size_t size;
	size_t len;
};

static void
put(struct idw *w, const char *s, size_t n)
{
	if (w->b != NULL) {
		buf_append(w->b, s, n);
	} else if (w->size > 0 && w->len < w->size - 1) {
		size_t room = w->size - 1 - w->len;
		size_t k = n < room ? n : room;

		memcpy(w->out + w->len, s, k);
		w->out[w->len + k] = '\0';
	}
	w->len += n;
}

static void
puts_(struct idw *w, const char *s)
{
	put(w, s, strlen(s));
}

/* One byte as %XX. */
static void
put_escaped(struct idw *w, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	e[0] = '%';
	e[1] = hex[c >> 4];
	e[2] = hex[c & 0xf];
	put(w, e, 3);
}

/* A key, code or value, escaped (figure_id.h); NULL is "?". */
static void
put_field(struct idw *w, const char *s)
{
	const char *p, *run;

	if (s == NULL) {
		put(w, "?", 1);
		return;
	}
	/* the whole field "-", "?", "~" stands for the row without a
	 * category, a NULL, the remainder: a value that reads so is
	 * escaped */
	if ((s[0] == '-' || s[0] == '?' || s[0] == '~') && s[1] == '\0') {
		put_escaped(w, (unsigned char)s[0]);
		return;
	}
	for (run = p = s; *p != '\0'; p++) {
		if (*p != '%' && *p != '|' && *p != '=' && *p != ':')
			continue;
		put(w, run, (size_t)(p - run));
		put_escaped(w, (unsigned char)*p);
		run = p + 1;
	}
	put(w, run, (size_t)(p - run));
}

/* The row part, "var|cat"; cat NULL: the row without a category. */
static void
put_row(struct idw *w, const char *var, const char *cat)
{
	put_field(w, var);
	put(w, "|", 1);
	if (cat == NULL)
		put(w, "-", 1);
	else
		put_field(w, cat);
}

static void
write_id(struct idw *w, const char *var, const char *cat, int var_splits,
	 const struct figure_col *col)
{
	switch (col->kind) {
	case FIGCOL_GROUP:
		/* (var = cat, by = key) and (by = key, var = cat): one
		 * count, written with the variable that sorts first */
		if (var_splits && cat != NULL && *cat != '\0' &&
		    var != NULL && col->by != NULL &&
		    strcmp(var, col->by) > 0) {
			put_field(w, col->by);
			put(w, "|", 1);
			put_field(w, col->key);
			put(w, "|", 1);
			put_field(w, var);
			put(w, "=", 1);
			put_field(w, cat);
			return;
		}
		put_row(w, var, cat);
		put(w, "|", 1);
		put_field(w, col->by);
		put(w, "=", 1);
		put_field(w, col->key);
		return;
	case FIGCOL_REMAINDER:
		put_row(w, var, cat);
		put(w, "|", 1);
		put_field(w, col->by);
		puts_(w, "=~");
		return;
	case FIGCOL_NONRESPONSE:
		put_row(w, var, cat);
		puts_(w, "|NR:");
		put_field(w, col->key);
		return;
	case FIGCOL_COMPARE:
		put_row(w, var, cat);
		puts_(w, "|CMP:");
		put_field(w, col->key);
		return;
	case FIGCOL_ALL:
	default:
		put_row(w, var, cat);
		puts_(w, "|ALL");
		return;
	}
}

void
figure_id_buf(struct buf *out, const char *var, const char *cat,
	      int var_splits, const struct figure_col *col)
{
	struct idw w = { out, NULL, 0, 0 };

	write_id(&w, var, cat, var_splits, col);
}

char *
figure_id_new(const char *var, const char *cat, int var_splits,
	      const struct figure_col *col)
{
	struct buf b = BUF_INIT(BUF_MAX_TEXT);

	figure_id_buf(&b, var, cat, var_splits, col);
	return buf_steal(&b);	/* NULL if b failed */
}

size_t
figure_id(char *out, size_t size, const char *var, const char *cat,
	  int var_splits, const struct figure_col *col)
{
	struct idw w = { NULL, out, size, 0 };

	if (size > 0)
		out[0] = '\0';
	write_id(&w, var, cat, var_splits, col);
	return w.len;
}
