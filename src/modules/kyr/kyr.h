/* Know Your Rights: the public multilingual site, the 311 agent console and
 * the content workflow. sms.c: how a text travels as SMS; http.c: the API. */
#ifndef HV_KYR_H
#define HV_KYR_H

#include <stddef.h>

#include "http/http.h"

extern const struct hv_route hv_kyr_routes[];
extern const size_t hv_kyr_nroutes;

#endif
