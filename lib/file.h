/*
 * file — whole-file reads with a size cap.
 */
#ifndef MSP_FILE_H
#define MSP_FILE_H

#include <stddef.h>

#include "msp_error.h"

/*
 * Reads all of path into a new NUL-terminated buffer.  Fails with
 * MSP_EIO if the file cannot be read, MSP_EINVAL if it is larger than
 * max bytes, MSP_ENOMEM if memory runs out.  On success the caller owns
 * *out (free()) and *len is its length without the NUL; on failure *out
 * is NULL.
 */
enum msp_status file_read(const char *path, size_t max, char **out,
			  size_t *len, struct msp_error *err);

#endif
