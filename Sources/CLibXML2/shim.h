#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H

/* Debian's libxml2 is built with ICU; <libxml/encoding.h> would then include the system
 * <unicode/ucnv.h>, whose UErrorCode clashes with the copy inside Foundation's private
 * _FoundationICU module. We never touch the ICU-only tail fields of
 * xmlCharEncodingHandler, so hiding them is safe. xmlversion.h must come first. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlschemastypes.h>
#include <libxml/SAX2.h>

/* xmlFree is a mutable global function pointer, which Swift 6 refuses to read from
 * concurrent code; this wrapper reads it on the C side. */
static inline void pg_xml_free(void *pointer) { xmlFree(pointer); }

#endif
