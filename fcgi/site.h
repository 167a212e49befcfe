/*
 * site — msp-fcgi's page table: which modules serve which paths, what
 * they defer, and every statement a worker prepares.  The one place
 * that names the handlers, so that the loop (worker.h) names none;
 * main.c serves it, tests/fcgitest.c prepares the same statements.
 */
#ifndef MSP_SITE_H
#define MSP_SITE_H

#include "worker.h"

extern const struct site site;

#endif
