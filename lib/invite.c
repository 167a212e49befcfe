/*
 * invite — links and the words around them (invite.h).
 */
#include "config.h"

#include <string.h>

#include "invite.h"
#include "urlenc.h"

enum msp_status
invite_link(struct buf *out, const char *base_url, const char *slug,
	    const char *code, struct msp_error *err)
{
	size_t len = base_url != NULL ? strlen(base_url) : 0;
	const char *p;

	if ((strncmp(base_url ? base_url : "", "https://", 8) != 0 &&
	     strncmp(base_url ? base_url : "", "http://", 7) != 0) ||
	    strpbrk(base_url, "?#\"<> \t\r\n") != NULL)
		return msp_error_set(err, MSP_EINVAL, "MSP_PUBLIC_URL doit "
				     "être l'adresse publique du site "
				     "(https://…), sans ? ni #");
	for (p = base_url; *p != '\0'; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return msp_error_set(err, MSP_EINVAL, "MSP_PUBLIC_URL "
					     "contient un caractère "
					     "invalide");
	while (len > 0 && base_url[len - 1] == '/')
		len--;
	buf_append(out, base_url, len);
	buf_puts(out, "/forms/");
	urlenc_encode(out, slug);
	/* "?invitation" carries nothing but makes the link another
	 * address than the form's own (where the form POSTs): a link that
	 * differs from the page open by its fragment alone only scrolls,
	 * and the form would not load to post the code. */
	buf_puts(out, "?invitation#invitation=");
	buf_puts(out, code);
	return buf_status(out, err);
}

/* "YYYY-MM-DD" as "DD/MM/YYYY" (the French way), or as given. */
static void
put_date_fr(struct buf *b, const char *iso)
{
	if (strlen(iso) == 10 && iso[4] == '-' && iso[7] == '-')
		buf_printf(b, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	else
		buf_puts(b, iso);
}

enum msp_status
invite_text(struct buf *subject, struct buf *body, enum invite_kind kind,
	    const char *title, const char *link, const char *closes_on,
	    struct msp_error *err)
{
	buf_printf(subject, "%s%s", kind == INVITE_REMINDER ? "Rappel : "
		   : "", title);
	buf_puts(body, "Bonjour,\n\n");
	if (kind == INVITE_REMINDER)
		buf_puts(body, "Votre structure n'a pas encore envoyé ses "
			 "réponses à l'enquête :\n");
	else
		buf_puts(body, "Votre structure est invitée à répondre à "
			 "l'enquête :\n");
	buf_printf(body, "« %s »\n\n", title);
	buf_puts(body, "Ce lien est propre à votre structure : vous "
		 "n'aurez pas à l'identifier,\nvous pourrez enregistrer "
		 "vos réponses et les reprendre plus tard,\net les "
		 "modifier après les avoir envoyées.\n\n");
	buf_printf(body, "%s\n\n", link);
	if (closes_on != NULL && *closes_on != '\0') {
		buf_puts(body, "L'enquête est ouverte jusqu'au ");
		put_date_fr(body, closes_on);
		buf_puts(body, " inclus.\n\n");
	}
	buf_puts(body, "Ne transférez pas ce message hors de votre équipe : "
		 "le lien donne accès\naux réponses de votre structure.\n"
		 "Si votre structure ne souhaite plus être contactée pour "
		 "cette enquête,\nrépondez à ce message.\n\nMerci de votre "
		 "participation.\n");
	if (buf_status(subject, err) != MSP_OK)
		return MSP_ENOMEM;
	return buf_status(body, err);
}
