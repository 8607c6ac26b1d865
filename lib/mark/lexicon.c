/*
 * Auto-slotting of unmarked prose: a reviewed table of interchangeable words and phrases (groups), the
 * contexts in which each group is safe, the load-bearing spans that never vary, and the writer that turns
 * every occurrence into an alternatives slot of the template syntax. One pass to mark protected bytes, one
 * pass to match, left to right, longest variant first. Review rules: docs/templates-lexicon.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/lexicon.h"
#include "forewarn/template.h"

enum {
	F_LOWER = 1 << 0,     /* only lowercase occurrences (never at the start of a sentence) */
	F_UPPER = 1 << 1,     /* only capitalised occurrences at the start of a sentence */
	F_FIRST = 1 << 2,     /* only the first variant is recognised: the rewrite is safe in one direction */
	F_AFTER_VER = 1 << 3, /* only right after a version number ("2.4.57 and earlier") */
	F_BEFORE_VER =
	    1 << 4,        /* only before a version number, optionally after "version" ("fixed in 2.4.58") */
	F_PLURAL = 1 << 5, /* only before a plural noun ("two requests") */
	F_DATE = 1 << 6,   /* the date group: matched by match_date, not by its variants */
	F_ONE_OBJECT = 1 << 7, /* variants end in different prepositions: not when the rest of the sentence
	                        * coordinates a second object ("lead to X and, in some cases, to Y") */
};

struct group {
	const char *variants; /* 2 to 4 variants joined by '|': no braces, no '|' inside, distinct */
	unsigned flags;
	const char *next;    /* NULL, or the words one of which must follow; "." = punctuation or end */
	const char *notnext; /* NULL, or words that must not follow */
	const char *why;     /* the review note */
};

#define G(v, f, nx, nn, why)                                                                                 \
	{                                                                                                    \
		v, f, nx, nn, why                                                                            \
	}

/* A noun used as the head of its clause is followed by punctuation, a verb or a function word, never by
 * another noun ("the vulnerability scanner" must stay). */
#define CLAUSE                                                                                               \
	".|is|was|are|were|be|been|has|have|had|exists|existed|exist|affects|affected|allow|allows|"         \
	"allowed|could|can|may|might|would|will|should|must|does|did|occurs|occurred|lies|resides|in|on|"    \
	"of|and|or|that|which|where|when|because|if|by|through|via|within|with|described|reported|"          \
	"tracked|identified|found|discovered|exploited|leads|results|requires|enables|permits|lets|only|"    \
	"also|itself|as|for|from|at|but|then|affecting|allowing|leading|resulting|being|caused|causes|"      \
	"fixed|addressed|resolved|to"
/* After "has been fixed": what follows a completed fix, not "the date has been fixed for June". */
#define FIXED ".|in|by|with|and|as|through|since|starting|on|but|or|upstream"
/* Determiners after which a quantifier cannot be shortened ("the majority of the" is not "most the"). */
#define DETERMINERS "the|these|those|this|that|its|their|our|your|his|her|all"

/* The eight subjects of the attack sentence; four verb forms each, all taking "to" but "lets". */
#define ALLOW(s)                                                                                             \
	G("allows " s " to|enables " s " to|permits " s " to|lets " s, F_ONE_OBJECT, NULL, NULL,             \
	  "third person: allow/enable/permit someone to do = let someone do; not before a second 'to' "      \
	  "object"),                                                                                         \
	    G("allow " s " to|enable " s " to|permit " s " to|make it possible for " s " to", 0, NULL, NULL, \
	      "base form after a modal or 'to': allow/enable/permit someone to = make it possible for "      \
	      "someone to"),                                                                                 \
	    G("allowed " s " to|enabled " s " to|permitted " s " to|made it possible for " s " to", 0, NULL, \
	      NULL, "past and participle; 'let' is left out, it would read as the base form"),               \
	    G("allowing " s " to|enabling " s " to|permitting " s " to|letting " s, F_ONE_OBJECT, NULL,      \
	      NULL, "-ing form of the attack sentence; not before a second 'to' object")

#define SPELL(us, uk) G(us "|" uk, 0, NULL, NULL, "American and British spelling of the same word")

static const struct group table[] = {
    /* The attack sentence: the verb with its subject and "to", so that "allows for" never matches. */
    ALLOW("an attacker"),
    ALLOW("attackers"),
    ALLOW("a remote attacker"),
    ALLOW("remote attackers"),
    ALLOW("an unauthenticated attacker"),
    ALLOW("a local attacker"),
    ALLOW("an authenticated attacker"),
    ALLOW("a low-privileged attacker"),
    G("allows|permits", 0, NULL, "for",
      "allow = permit with a direct object; 'allows for' has no 'permits for'"),
    G("allowing|permitting", 0, NULL, "for", "as allows|permits"),

    /* Impact statements. */
    G("could allow|may allow", 0, NULL, NULL,
      "impact statements use 'could' and 'may' alike for possibility"),
    G("could lead to|may lead to|could result in|may result in", F_ONE_OBJECT, NULL, NULL,
      "lead to = result in; could = may in impact statements; not before a second 'to' object"),
    G("can lead to|can result in", F_ONE_OBJECT, NULL, NULL,
      "lead to = result in; not before a second 'to' object"),
    G("leads to|results in", F_ONE_OBJECT, NULL, NULL,
      "lead to = result in; not before a second 'to' object"),
    G("led to|resulted in", F_ONE_OBJECT, NULL, NULL, "lead to = result in; not before a second 'to' object"),
    G("leading to|resulting in", F_ONE_OBJECT, NULL, NULL,
      "lead to = result in; not before a second 'to' object"),
    G("could cause|may cause", 0, NULL, NULL, "could = may in impact statements"),
    G("could be exploited|may be exploited", 0, NULL, NULL, "could = may in impact statements"),
    G("could be used to|may be used to", 0, NULL, NULL, "could = may in impact statements"),
    G("exploit this vulnerability|abuse this vulnerability|exploit this flaw|abuse this flaw", 0, NULL, NULL,
      "exploiting a vulnerability = abusing it; vulnerability = flaw"),
    G("exploit the vulnerability|abuse the vulnerability|exploit the flaw|abuse the flaw", 0, NULL, NULL,
      "exploiting a vulnerability = abusing it; vulnerability = flaw"),
    G("exploit this issue|abuse this issue", 0, NULL, NULL, "exploiting an issue = abusing it"),
    G("trigger a crash|cause a crash", 0, NULL, NULL, "trigger = cause, for a crash"),
    G("memory corruption|corruption of memory", 0, CLAUSE, NULL,
      "same noun; only as the head of its clause ('memory corruption bug' stays)"),

    /* The attacker and the flaw: one article (a/an) for all variants; nouns only as head of a clause. */
    G("attacker|adversary", 0, NULL, NULL, "attacker = adversary in advisories; both take 'an'"),
    G("attackers|adversaries", 0, NULL, NULL, "attacker = adversary"),
    G("vulnerability|flaw", 0, CLAUSE, NULL,
      "the advisory's flaw (Red Hat style) = the vulnerability; only as the head of its clause, so "
      "'vulnerability scanner' and 'vulnerability management' stay; both take 'a'"),
    G("vulnerabilities|flaws", 0, CLAUSE, NULL, "as vulnerability|flaw"),
    G("this issue|this problem", 0, CLAUSE, NULL, "the issue described = the problem described"),
    G("the issue|the problem", 0, CLAUSE, NULL, "as this issue|this problem; 'the issue tracker' stays"),
    G("these issues|these problems", 0, CLAUSE, NULL, "as this issue|this problem"),

    /* The attacker's input. */
    G("specially crafted|maliciously crafted|specifically crafted|crafted", 0, NULL, NULL,
      "an attacker's crafted input is specially and maliciously crafted by definition"),
    G("user-supplied|user-provided", 0, NULL, NULL, "supplied = provided"),
    G("attacker-controlled|attacker-supplied", 0,
      ".|input|data|value|values|string|strings|content|parameter|parameters|payload|payloads|length|size|"
      "offset|index|buffer|pointer",
      NULL, "same for data: what the attacker supplies, the attacker controls; not for servers or hosts"),

    /* Execution. */
    G("execute arbitrary code|run arbitrary code", 0, NULL, NULL, "execute = run, for code"),
    G("executing arbitrary code|running arbitrary code", 0, NULL, NULL, "execute = run, for code"),
    G("execute arbitrary commands|run arbitrary commands", 0, NULL, NULL, "execute = run, for commands"),
    G("executing arbitrary commands|running arbitrary commands", 0, NULL, NULL, "execute = run"),
    G("execute commands|run commands", 0, NULL, NULL, "execute = run, for commands"),

    /* Classes of flaws: hyphenation of compound modifiers, and names that are synonyms (CWE aliases). */
    G("denial of service|denial-of-service", 0, NULL, NULL, "hyphenation only"),
    G("out-of-bounds|out of bounds", 0, NULL, NULL, "hyphenation only"),
    G("use-after-free|use after free", 0, NULL, NULL, "hyphenation only"),
    G("double free|double-free", 0, NULL, NULL, "hyphenation only"),
    G("buffer overflow|buffer overrun", 0, NULL, NULL, "overrun = overflow (Microsoft's term)"),
    G("buffer overflows|buffer overruns", 0, NULL, NULL, "overrun = overflow"),
    G("path traversal|directory traversal", 0, NULL, NULL, "CWE-22 aliases"),
    G("privilege escalation|privilege elevation", 0, NULL, NULL, "escalation = elevation of privilege"),
    G("escalate privileges|elevate privileges", 0, NULL, NULL, "escalate = elevate, for privileges"),
    G("escalate their privileges|elevate their privileges", 0, NULL, NULL, "escalate = elevate"),
    G("man-in-the-middle|machine-in-the-middle|person-in-the-middle|manipulator-in-the-middle", 0, NULL, NULL,
      "names of the same attack; 'adversary-in-the-middle' left out, it takes 'an'"),
    G("proof of concept|proof-of-concept", 0, NULL, NULL, "hyphenation only"),
    G("hard-coded|hardcoded", 0, NULL, NULL, "spelling only"),
    G("brute-force|brute force", 0, NULL, NULL, "hyphenation only"),
    G("sensitive information|sensitive data", 0, NULL, NULL, "information = data, when sensitive"),
    G("in plaintext|in cleartext|in plain text|in clear text", 0, NULL, NULL, "unencrypted, four spellings"),

    /* Validation. */
    G("does not properly|fails to properly|does not correctly|fails to correctly", 0, NULL, NULL,
      "before a verb: not doing X properly = failing to do X correctly; never 'fails to' alone "
      "('does not require' is not a failure)"),
    G("did not properly|failed to properly|did not correctly|failed to correctly", 0, NULL, NULL,
      "past of the above"),
    G("do not properly|fail to properly|do not correctly|fail to correctly", 0, NULL, NULL,
      "plural of the above"),
    G("properly|correctly", 0, NULL, NULL, "properly = correctly for validation and configuration"),
    G("improperly|incorrectly", 0, NULL, NULL, "as properly|correctly"),
    G("improper|incorrect", 0, NULL, NULL, "improper = incorrect (CWE wording); both take 'an'"),
    G("insufficient|inadequate", 0, NULL, NULL, "insufficient = inadequate; both take 'an'"),
    G("insufficiently|inadequately", 0, NULL, NULL, "as insufficient|inadequate"),

    /* Where and when the flaw is. */
    G("exists in|is present in", 0, NULL, NULL, "exists in = is present in"),
    G("exist in|are present in", 0, NULL, NULL, "plural of the above"),
    G("resides in|is located in", 0, NULL, NULL, "resides in = is located in"),
    G("due to|because of|owing to|as a result of", F_ONE_OBJECT, NULL, "be",
      "cause; not 'due to be' (scheduled), not before a second 'to' object"),
    G("when processing|while processing", 0, NULL, NULL, "when = while, for an ongoing operation"),
    G("when parsing|while parsing", 0, NULL, NULL, "when = while, for an ongoing operation"),
    G("when handling|while handling", 0, NULL, NULL, "when = while, for an ongoing operation"),
    G("in certain configurations|in some configurations", 0, NULL, NULL, "certain = some"),
    G("under certain conditions|in certain circumstances", 0, NULL, NULL, "same restriction"),
    G("by default|in the default configuration", 0, NULL, NULL, "same condition"),
    G("a specific|a particular", 0, NULL, NULL, "specific = particular, before a noun"),
    G("vulnerable to|susceptible to", 0, NULL, NULL, "vulnerable to = susceptible to"),
    G("remotely exploitable|exploitable remotely", 0,
      ".|and|by|over|without|if|when|in|via|through|from|but|or", NULL,
      "word order; only predicative ('is remotely exploitable.'), not before a noun"),
    G("incoming requests|inbound requests", 0, NULL, NULL, "incoming = inbound"),
    G("outside of the|outside the", 0, NULL, NULL, "'of' is optional"),

    /* Versions and fixes: the version itself is protected, only the words around it vary. */
    G("versions prior to|versions before|versions earlier than|versions older than", 0, NULL, NULL,
      "all four exclude the version named"),
    G("version prior to|version before|version earlier than|version older than", 0, NULL, NULL,
      "all four exclude the version named"),
    G("prior to|before|earlier than|older than", F_LOWER | F_BEFORE_VER, NULL, NULL,
      "only before a version number: all four exclude it"),
    G("and earlier|and older", F_AFTER_VER, NULL, NULL, "only after a version number: both include it"),
    G("or earlier|or older", F_AFTER_VER, NULL, NULL, "only after a version number: both include it"),
    G("and later|and newer|and above|and higher", F_AFTER_VER, NULL, NULL,
      "only after a version number: all include it ('and later backported' stays)"),
    G("or later|or newer|or above|or higher", F_AFTER_VER, NULL, NULL,
      "only after a version number: all include it"),
    G("fixed in|addressed in|resolved in|corrected in", F_BEFORE_VER, NULL, NULL,
      "only before a version number ('resolved in DNS' stays)"),
    G("upgrade to|update to", F_BEFORE_VER, NULL, NULL, "only before a version number"),
    G("upgrading to|updating to", F_BEFORE_VER, NULL, NULL, "only before a version number"),
    G("upgraded to|updated to", F_BEFORE_VER, NULL, NULL, "only before a version number"),
    G("starting with|beginning with|starting from|as of", F_BEFORE_VER, NULL, NULL,
      "only before a version number: all include it"),
    G("previous versions|earlier versions|prior versions|older versions", 0, NULL, NULL, "same set"),
    G("latest version|most recent version", 0, NULL, NULL, "latest = most recent"),
    G("latest release|most recent release", 0, NULL, NULL, "latest = most recent"),
    G("fixed versions|patched versions", 0, NULL, NULL, "fixed = patched, for versions"),
    G("has released|has published", 0, NULL, NULL, "a vendor releases = publishes a fix or version"),
    G("a fix is available|a patch is available", 0, NULL, NULL, "fix = patch"),
    G("apply the update|install the update", 0, NULL, NULL, "apply = install, for an update"),
    G("apply the updates|install the updates", 0, NULL, NULL, "apply = install"),
    G("apply the patch|install the patch", 0, NULL, NULL, "apply = install, for a patch"),
    G("apply the latest updates|install the latest updates", 0, NULL, NULL, "apply = install"),
    G("has been fixed|has been corrected|has been addressed|has been remediated", 0, FIXED, NULL,
      "completed fix; only before punctuation or a preposition ('the date has been fixed for' stays)"),
    G("have been fixed|have been corrected|have been addressed|have been remediated", 0, FIXED, NULL,
      "plural of the above"),

    /* Advice. */
    G("are advised to|are encouraged to", 0, NULL, NULL, "same recommendation"),
    G("is advised to|is encouraged to", 0, NULL, NULL, "same recommendation"),
    G("are strongly advised to|are strongly encouraged to", 0, NULL, NULL, "same recommendation"),
    G("recommends that|advises that", 0, NULL, NULL, "same recommendation"),
    G("recommend that|advise that", 0, NULL, NULL, "same recommendation"),
    G("as soon as possible|at the earliest opportunity", 0, NULL, NULL, "same urgency"),
    G("please refer to|please see", 0, NULL, NULL, "same pointer"),
    G("more information|further information|additional information|more detail", 0, NULL, "than",
      "same pointer; 'more detail' is uncountable like 'information'; not before 'than'"),
    G("restrict access to|limit access to", 0, NULL, NULL, "restrict = limit"),
    G("restricting access to|limiting access to", 0, NULL, NULL, "restrict = limit"),
    G("block access to|deny access to", 0, NULL, NULL, "block = deny"),
    G("in order to|so as to", 0, NULL, NULL, "purpose"),
    G("ensure that|make sure that", 0, NULL, NULL, "same"),
    G("note that|please note that", F_UPPER, NULL, NULL,
      "at the start of a sentence only ('we note that' has no 'please')"),
    G("disable|turn off", 0, NULL, "it|them",
      "switch a feature off; not before a pronoun ('turn off it' is wrong)"),
    G("disabling|turning off", 0, NULL, "it|them", "as disable|turn off"),
    G("without authentication|without prior authentication", 0, NULL, NULL, "same"),
    G("requires no user interaction|does not require user interaction", 0, NULL, NULL, "same"),
    G("user interaction is required|user interaction is needed", 0, NULL, NULL, "required = needed"),
    G("is not affected|is unaffected", 0, NULL, NULL, "same"),
    G("are not affected|are unaffected", 0, NULL, NULL, "same"),
    G("affected by|impacted by", 0, NULL, NULL, "affected = impacted"),
    G("gain access to|obtain access to", 0, NULL, NULL, "gain = obtain, for access"),
    G("gained access to|obtained access to", 0, NULL, NULL, "gain = obtain"),
    G("gain unauthorized access to|obtain unauthorized access to", 0, NULL, NULL, "gain = obtain"),
    G("the contents of|the content of", 0, NULL, NULL, "same"),
    G("discovered by|found by", 0, NULL, NULL, "credit: discovered = found"),
    G("was discovered in|was found in|was identified in|was uncovered in", 0, NULL, NULL,
      "discovered = found = identified = uncovered"),
    G("to log in|to sign in", 0, NULL, NULL, "log in = sign in"),
    G("logged-in|signed-in", 0, NULL, NULL, "log in = sign in"),

    /* Sentence adverbs: at the start of a sentence, with their comma, so that no other use matches. */
    G("additionally,|in addition,|furthermore,|moreover,", F_UPPER, NULL, NULL, "additive connectives"),
    G("as a result,|consequently,|therefore,|as a consequence,", F_UPPER, NULL, NULL,
      "consequential connectives"),
    G("for example,|for instance,", F_UPPER, NULL, NULL, "same"),
    G("e.g.,|for example,", F_FIRST, NULL, NULL,
      "'e.g.,' always reads as 'for example,'; not the other way ('the server, for example, may')"),
    G("i.e.,|that is,", F_FIRST, NULL, NULL,
      "'i.e.,' always reads as 'that is,'; not the other way ('data that is, in turn,')"),
    G("in particular,|specifically,", F_UPPER, NULL, NULL, "same"),
    G("similarly,|likewise,", F_UPPER, NULL, NULL, "same"),
    G("finally,|lastly,", F_UPPER, NULL, NULL, "same"),
    G("currently,|at present,", F_UPPER, NULL, NULL, "same"),
    G("to date,|so far,", F_UPPER, NULL, NULL, "same"),
    G("alternatively,|as an alternative,", F_UPPER, NULL, NULL, "same"),
    G("first,|firstly,", F_UPPER, NULL, NULL, "same"),
    G("second,|secondly,", F_UPPER, NULL, NULL, "same"),
    G("although|though", F_UPPER, NULL, NULL, "at the start of a sentence ('even though' has no 'although')"),
    G("while|whilst", F_UPPER, NULL, NULL, "at the start of a sentence ('a while' has no 'whilst')"),

    /* Function words and connectives. */
    G("among|amongst", 0, NULL, NULL, "same"),
    G("toward|towards", 0, NULL, NULL, "same"),
    G("afterward|afterwards", 0, NULL, NULL, "same"),
    G("in addition to|as well as", F_FIRST, NULL, NULL,
      "'in addition to' = 'as well as'; not the other way ('performs as well as' compares)"),
    G("together with|along with", 0, NULL, NULL, "same"),
    G("in conjunction with|in combination with", 0, NULL, NULL, "same"),
    G("with respect to|with regard to", 0, NULL, NULL, "same"),
    G("in case of|in the event of", 0, NULL, NULL, "same condition"),
    G("in the event that|if", F_FIRST, NULL, NULL, "'in the event that' = 'if'; not every 'if'"),
    G("whether or not|whether", F_FIRST, NULL, NULL, "'or not' is optional; not every 'whether'"),
    G("a variety of|various", F_FIRST, NULL, DETERMINERS,
      "'a variety of X' = 'various X'; not 'the various', not before a determiner"),
    G("the majority of|most", F_FIRST, NULL, DETERMINERS,
      "'the majority of X' = 'most X'; not before a determiner ('most the' is wrong)"),
    G("each time|every time", 0, NULL, NULL, "same"),
    G("via|by way of", 0, NULL, "header|headers", "same; not the HTTP Via header"),
    G("approximately|roughly", 0, NULL, NULL, "same; 'about' left out, it is also a preposition"),
    G("percent|per cent", 0, NULL, NULL, "spelling only"),
    G("twice|two times", 0, NULL, NULL, "same count"),
    G("a.k.a.|also known as", 0, NULL, NULL, "same"),
    G("attempts to|tries to", 0, NULL, NULL, "same"),
    G("attempting to|trying to", 0, NULL, NULL, "same"),
    G("unable to|not able to", 0, NULL, NULL, "same"),

    /* Compound words and hyphenation. */
    G("plugin|plug-in", 0, NULL, NULL, "spelling only"),
    G("plugins|plug-ins", 0, NULL, NULL, "spelling only"),
    G("website|web site", 0, NULL, NULL, "spelling only"),
    G("websites|web sites", 0, NULL, NULL, "spelling only"),
    G("filesystem|file system", 0, NULL, NULL, "spelling only"),
    G("at runtime|at run time", 0, NULL, NULL, "spelling only"),
    G("third-party|third party", 0, NULL, NULL, "hyphenation only"),
    G("open source|open-source", 0, NULL, NULL, "hyphenation only"),
    G("end-of-life|end of life", 0, NULL, NULL, "hyphenation only"),

    /* American and British spelling. */
    SPELL("behavior", "behaviour"),
    SPELL("behaviors", "behaviours"),
    SPELL("behavioral", "behavioural"),
    SPELL("sanitize", "sanitise"),
    SPELL("sanitizes", "sanitises"),
    SPELL("sanitized", "sanitised"),
    SPELL("sanitizing", "sanitising"),
    SPELL("sanitization", "sanitisation"),
    SPELL("sanitizer", "sanitiser"),
    SPELL("analyze", "analyse"),
    G("analyzes|analyses", F_FIRST, NULL, NULL,
      "American and British spelling of the verb; 'analyses' is also the plural of 'analysis'"),
    SPELL("analyzed", "analysed"),
    SPELL("analyzing", "analysing"),
    SPELL("analyzer", "analyser"),
    SPELL("authorize", "authorise"),
    SPELL("authorized", "authorised"),
    SPELL("unauthorized", "unauthorised"),
    SPELL("authorization", "authorisation"),
    SPELL("organization", "organisation"),
    SPELL("organizations", "organisations"),
    SPELL("recognize", "recognise"),
    SPELL("recognized", "recognised"),
    SPELL("unrecognized", "unrecognised"),
    SPELL("normalize", "normalise"),
    SPELL("normalized", "normalised"),
    SPELL("normalization", "normalisation"),
    SPELL("serialize", "serialise"),
    SPELL("serialized", "serialised"),
    SPELL("serialization", "serialisation"),
    SPELL("deserialize", "deserialise"),
    SPELL("deserialized", "deserialised"),
    SPELL("deserializing", "deserialising"),
    SPELL("deserialization", "deserialisation"),
    SPELL("initialize", "initialise"),
    SPELL("initialized", "initialised"),
    SPELL("uninitialized", "uninitialised"),
    SPELL("initialization", "initialisation"),
    SPELL("prioritize", "prioritise"),
    SPELL("minimize", "minimise"),
    SPELL("minimized", "minimised"),
    SPELL("utilize", "utilise"),
    SPELL("utilized", "utilised"),
    SPELL("customize", "customise"),
    SPELL("customized", "customised"),
    SPELL("optimize", "optimise"),
    SPELL("optimized", "optimised"),
    SPELL("optimization", "optimisation"),
    SPELL("synchronization", "synchronisation"),
    SPELL("randomize", "randomise"),
    SPELL("randomized", "randomised"),
    SPELL("randomization", "randomisation"),
    SPELL("neutralize", "neutralise"),
    SPELL("neutralized", "neutralised"),
    SPELL("neutralization", "neutralisation"),
    SPELL("realize", "realise"),
    SPELL("summarize", "summarise"),
    SPELL("finalize", "finalise"),
    SPELL("categorize", "categorise"),
    SPELL("categorized", "categorised"),
    SPELL("apologize", "apologise"),
    SPELL("emphasize", "emphasise"),
    SPELL("virtualization", "virtualisation"),
    SPELL("centralized", "centralised"),
    SPELL("specialized", "specialised"),
    SPELL("standardized", "standardised"),
    SPELL("defense", "defence"),
    SPELL("defenses", "defences"),
    SPELL("catalog", "catalogue"),
    SPELL("dialog", "dialogue"),
    SPELL("canceled", "cancelled"),
    SPELL("canceling", "cancelling"),
    SPELL("labeled", "labelled"),
    SPELL("labeling", "labelling"),
    SPELL("modeled", "modelled"),
    SPELL("modeling", "modelling"),
    SPELL("signaled", "signalled"),
    SPELL("fulfill", "fulfil"),
    SPELL("enrollment", "enrolment"),
    SPELL("gray", "grey"),
    SPELL("artifact", "artefact"),
    SPELL("artifacts", "artefacts"),
    SPELL("judgment", "judgement"),
    SPELL("acknowledgment", "acknowledgement"),
    SPELL("acknowledgments", "acknowledgements"),
    SPELL("data center", "data centre"),
    SPELL("data centers", "data centres"),
    SPELL("in favor of", "in favour of"),

    /* Counts: spelled-out small numbers before a plural noun become digits. Digits never become words: a
     * digit may name a product generation or a protocol version ("Log4j 2 users", "SMB 3 shares"). */
    G("two|2", F_FIRST | F_LOWER | F_PLURAL, NULL, NULL, "count before a plural noun; words to digits only"),
    G("three|3", F_FIRST | F_LOWER | F_PLURAL, NULL, NULL,
      "count before a plural noun; words to digits only"),
    G("four|4", F_FIRST | F_LOWER | F_PLURAL, NULL, NULL, "count before a plural noun; words to digits only"),
    G("five|5", F_FIRST | F_LOWER | F_PLURAL, NULL, NULL, "count before a plural noun; words to digits only"),
    G("six|6", F_FIRST | F_LOWER | F_PLURAL, NULL, NULL, "count before a plural noun; words to digits only"),
    G("seven|7", F_FIRST | F_LOWER | F_PLURAL, NULL, NULL,
      "count before a plural noun; words to digits only"),
    G("eight|8", F_FIRST | F_LOWER | F_PLURAL, NULL, NULL,
      "count before a plural noun; words to digits only"),
    G("nine|9", F_FIRST | F_LOWER | F_PLURAL, NULL, NULL, "count before a plural noun; words to digits only"),
    G("ten|10", F_FIRST | F_LOWER | F_PLURAL, NULL, NULL, "count before a plural noun; words to digits only"),

    /* Dates in prose (one group; the variants shown are one example date). */
    G("June 24, 2025|24 June 2025|2025-06-24|24-Jun-2025", F_DATE, NULL, NULL,
      "a valid date (1970 to 2099) in one of the first three forms, or in those with a three-letter month "
      "(Jun 24, 2025), gets the four forms, the one present standing for its own form; not inside a token "
      "(2025-06-24T10:00Z), not after 'version', 'release', 'build', 'snapshot' or 'tag'"),
};

#define NGROUPS (sizeof(table) / sizeof(table[0]))

size_t fw_lexicon_groups(void)
{
	return NGROUPS;
}

const char *fw_lexicon_group(size_t i, const char **ret_note)
{
	if (i >= NGROUPS)
		return NULL;
	if (ret_note)
		*ret_note = table[i].why;
	return table[i].variants;
}

/* ---- characters ---- */

static int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_alpha(int c)
{
	return is_upper(c) || is_lower(c);
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int to_lower(int c)
{
	return is_upper(c) ? c + ('a' - 'A') : c;
}

static int to_upper(int c)
{
	return is_lower(c) ? c - ('a' - 'A') : c;
}

/* A match may start after whitespace, an opening bracket or emphasis; anything else glues it to a token. */
static int prev_ok(const char *s, size_t i)
{
	unsigned char c;

	if (i == 0)
		return 1;
	c = (unsigned char)s[i - 1];
	return is_space(c) || c == '(' || c == '[' || c == '*';
}

/* A match ending in a letter or digit may be followed by whitespace, or by punctuation that ends the word. */
static int next_ok(const char *s, size_t n, size_t e)
{
	unsigned char c;

	if (e >= n)
		return 1;
	c = (unsigned char)s[e];
	if (is_space(c))
		return 1;
	if (!strchr(".,;:!?)]*", c) || c == '\0')
		return 0;
	return e + 1 >= n || !(is_alnum((unsigned char)s[e + 1]) || (unsigned char)s[e + 1] >= 0x80 ||
	                       strchr("_-/\\@'{}|", s[e + 1]));
}

/* ---- protected spans ---- */

static void protect(unsigned char *m, size_t a, size_t b)
{
	if (b > a)
		memset(m + a, 1, b - a);
}

static size_t line_end(const char *s, size_t n, size_t i)
{
	const char *p = i < n ? memchr(s + i, '\n', n - i) : NULL;

	return p ? (size_t)(p - s) : n;
}

/* A fence: up to 3 spaces, then 3 or more backticks or tildes. Opening: *ch and *len are set. Closing: a run
 * of *ch at least *len long and nothing but whitespace after. */
static int fence_at(const char *s, size_t a, size_t e, char *ch, size_t *len, int closing)
{
	size_t k = a, r = 0;

	while (k < e && s[k] == ' ' && k - a < 3)
		k++;
	if (k >= e || (s[k] != '`' && s[k] != '~') || (closing && s[k] != *ch))
		return 0;
	while (k + r < e && s[k + r] == s[k])
		r++;
	if (r < 3 || (closing && r < *len))
		return 0;
	if (closing) {
		for (k += r; k < e; k++)
			if (!is_space((unsigned char)s[k]))
				return 0;
		return 1;
	}
	*ch = s[k];
	*len = r;
	return 1;
}

/* Code blocks: fenced blocks (to the closing fence or the end) and indented lines (4 spaces or a tab). */
static void protect_code_lines(const char *s, size_t n, unsigned char *m)
{
	size_t a = 0, e, stop, k, flen = 0;
	char fch = 0;
	int fenced = 0, blank;

	while (a < n) {
		e = line_end(s, n, a);
		stop = e < n ? e + 1 : e;
		for (blank = 1, k = a; k < e; k++)
			if (!is_space((unsigned char)s[k]))
				blank = 0;
		if (fenced) {
			protect(m, a, stop);
			if (fence_at(s, a, e, &fch, &flen, 1))
				fenced = 0;
		} else if (fence_at(s, a, e, &fch, &flen, 0)) {
			fenced = 1;
			protect(m, a, stop);
		} else if (!blank && (s[a] == '\t' || (e - a >= 4 && memcmp(s + a, "    ", 4) == 0))) {
			protect(m, a, stop);
		}
		a = stop;
	}
}

/* Is the line starting at a (after a '\n') blank? */
static int blank_line_at(const char *s, size_t n, size_t a)
{
	while (a < n && s[a] != '\n') {
		if (!is_space((unsigned char)s[a]))
			return 0;
		a++;
	}
	return 1;
}

/*
 * The closing delimiter (close, clen bytes; for backticks a run of exactly clen) after position i, within
 * the paragraph: the search stops at a blank line or a protected byte. Returns its offset, or n with *stop
 * set to where the search stopped.
 */
static size_t find_close(const char *s, size_t n, const unsigned char *m, size_t i, const char *close,
                         size_t clen, int run, size_t *stop)
{
	size_t j = i, r;

	*stop = n; /* set on every path: the callers use it only when nothing closes */
	while (j < n && !m[j]) {
		if (s[j] == '\n' && blank_line_at(s, n, j + 1))
			break;
		if (run && s[j] == '`') {
			for (r = 0; j + r < n && s[j + r] == '`'; r++)
				;
			if (r == clen)
				return j;
			j += r;
			continue;
		}
		if (!run && j + clen <= n && memcmp(s + j, close, clen) == 0)
			return j;
		j++;
	}
	*stop = j;
	return n;
}

#define LDQUO      "\xe2\x80\x9c"
#define RDQUO      "\xe2\x80\x9d"
#define LSQUO      "\xe2\x80\x98"
#define RSQUO      "\xe2\x80\x99"
#define SQUOTE_MAX 200 /* a single-quoted string is a short value; bounds the search for its end */
#define COORD_MAX  400 /* how far the rest of a sentence is searched for a coordinated object */

/* 'x': opened after whitespace or a bracket, closed on the same line by a quote not followed by a letter. */
static size_t single_close(const char *s, size_t n, size_t i, const char *q, size_t ql)
{
	size_t e = n - i > SQUOTE_MAX ? i + SQUOTE_MAX : n, j;
	const char *nl = memchr(s + i, '\n', e - i); /* within the bound only: no scan to a far line end */

	if (nl)
		e = (size_t)(nl - s);
	for (j = i; j + ql <= e; j++)
		if (memcmp(s + j, q, ql) == 0 && !is_space((unsigned char)s[j - 1]) &&
		    (j + ql >= n || !is_alnum((unsigned char)s[j + ql])))
			return j;
	return n;
}

/* Inline spans: code spans, double quotes (straight or curly) to their end within the paragraph, or to the
 * end of the paragraph when unclosed; single quotes (straight or curly) on one line when closed. */
static void protect_inline(const char *s, size_t n, unsigned char *m)
{
	size_t i = 0, j, r, stop;
	int opener;

	while (i < n) {
		if (m[i]) {
			i++;
			continue;
		}
		if (s[i] == '`') {
			for (r = 0; i + r < n && s[i + r] == '`'; r++)
				;
			j = find_close(s, n, m, i + r, NULL, r, 1, &stop);
			if (j < n)
				stop = j + r;
			protect(m, i, stop);
			i = stop;
		} else if (s[i] == '"' || (n - i >= 3 && memcmp(s + i, LDQUO, 3) == 0)) {
			r = s[i] == '"' ? 1 : 3;
			j = find_close(s, n, m, i + r, r == 1 ? "\"" : RDQUO, r, 0, &stop);
			if (j < n)
				stop = j + r;
			protect(m, i, stop);
			i = stop;
		} else if (s[i] == '\'' || (n - i >= 3 && memcmp(s + i, LSQUO, 3) == 0)) {
			r = s[i] == '\'' ? 1 : 3;
			opener = (i == 0 || strchr(" \t\r\n([", s[i - 1])) && i + r < n &&
			         !is_space((unsigned char)s[i + r]) && s[i + r] != '\'';
			j = opener ? single_close(s, n, i + r, r == 1 ? "'" : RSQUO, r) : n;
			if (j < n) {
				protect(m, i, j + r);
				i = j + r;
			} else {
				i += r;
			}
		} else {
			i++;
		}
	}
}

/* Does a whitespace-delimited token carry meaning (see lexicon.h)? */
static int token_loadbearing(const char *t, size_t l)
{
	int digit = 0, alpha = 0;
	size_t k, digits = 0, hexrun = 0, hexdig = 0, alnums;

	for (k = 0; k < l; k++) {
		unsigned char c = (unsigned char)t[k];

		if (c && strchr("/\\=<>{}$%#&~^|_@", c))
			return 1;
		digit |= is_digit(c);
		alpha |= is_alpha(c);
		if (k > 0 && k + 1 < l && (c == '.' || c == ':') && is_alnum((unsigned char)t[k - 1])) {
			if (is_alnum((unsigned char)t[k + 1]) &&
			    (c == ':' ||
			     (is_digit((unsigned char)t[k - 1]) && is_digit((unsigned char)t[k + 1]))))
				return 1;
			for (alnums = 0; k + 1 + alnums < l && is_alnum((unsigned char)t[k + 1 + alnums]);
			     alnums++)
				;
			if (c == '.' && alnums >= 2)
				return 1;
		}
		digits = is_digit(c) ? digits + 1 : 0;
		hexdig = is_hex(c) ? hexdig + is_digit(c) : 0;
		hexrun = is_hex(c) ? hexrun + 1 : 0;
		if (digits >= 5 || (hexrun >= 7 && hexdig))
			return 1;
	}
	return digit && alpha;
}

static void protect_tokens(const char *s, size_t n, unsigned char *m)
{
	size_t i = 0, a;

	while (i < n) {
		while (i < n && is_space((unsigned char)s[i]))
			i++;
		for (a = i; i < n && !is_space((unsigned char)s[i]); i++)
			;
		if (i > a && token_loadbearing(s + a, i - a))
			protect(m, a, i);
	}
}

static int span_free(const unsigned char *m, size_t a, size_t b)
{
	for (; a < b; a++)
		if (m[a])
			return 0;
	return 1;
}

/* ---- contexts ---- */

/* Is the word w (wl bytes) one of the '|'-separated list? */
static int in_list(const char *list, const char *w, size_t wl)
{
	const char *p = list, *q;

	while (*p) {
		q = strchr(p, '|');
		if (!q)
			q = p + strlen(p);
		if ((size_t)(q - p) == wl && memcmp(p, w, wl) == 0)
			return 1;
		p = *q ? q + 1 : q;
	}
	return 0;
}

/* What follows position e: a word of letters (*w, *wl), or "." for punctuation, a non-letter or the end. */
static void next_word(const char *s, size_t n, size_t e, const char **w, size_t *wl)
{
	size_t j = e, k;

	*w = ".";
	*wl = 1;
	while (j < n && is_space((unsigned char)s[j]))
		j++;
	if (j == e || j >= n || !is_alpha((unsigned char)s[j]))
		return;
	for (k = j; k < n && is_alpha((unsigned char)s[k]); k++)
		;
	*w = s + j;
	*wl = k - j;
}

/* Is the previous sentence over at i: start of text, after . ! ? or :, a list marker, a blank line? */
static int sentence_start(const char *s, size_t i)
{
	size_t j = i, nl = 0;
	unsigned char c;

	while (j > 0 && strchr(" \t(\"*_[", s[j - 1]) && s[j - 1] != '\0')
		j--;
	if (j == 0)
		return 1;
	c = (unsigned char)s[j - 1];
	if (c == '.' || c == '!' || c == '?' || c == ':')
		return 1;
	if (c && strchr("-+#>)", c)) {
		/* a list item, heading or quote marker opening its line */
		while (j > 0 && (is_digit((unsigned char)s[j - 1]) || strchr(" \t-+#>).", s[j - 1])) &&
		       s[j - 1] != '\0')
			j--;
		return j == 0 || s[j - 1] == '\n';
	}
	if (c != '\n')
		return 0;
	while (j > 0 && is_space((unsigned char)s[j - 1]))
		nl += s[--j] == '\n';
	if (j == 0 || nl >= 2)
		return 1;
	c = (unsigned char)s[j - 1];
	return c == '.' || c == '!' || c == '?' || c == ':';
}

/* Is [a, b) a version number: optional v, digits, at least one '.' digit, not an IPv4 address? */
static int version_token(const char *s, size_t a, size_t b)
{
	size_t k, parts = 1, run = 0;
	int dotted = 0, numeric = 1;

	while (b > a && strchr(".,;:)", s[b - 1]) && s[b - 1] != '\0')
		b--;
	if (a < b && (s[a] == 'v' || s[a] == 'V'))
		a++;
	if (a >= b || !is_digit((unsigned char)s[a]))
		return 0;
	for (k = a; k < b; k++) {
		if (s[k] == '.') {
			if (k + 1 < b && is_digit((unsigned char)s[k + 1]) &&
			    is_digit((unsigned char)s[k - 1]))
				dotted = 1;
			numeric &= run >= 1 && run <= 3;
			parts++;
			run = 0;
		} else {
			numeric &= is_digit((unsigned char)s[k]);
			run++;
		}
	}
	numeric &= run >= 1 && run <= 3;
	return dotted && !(numeric && parts == 4);
}

/* Does a version number follow e ("fixed in 2.4.58", "fixed in version 2.4.58")? */
static int version_after(const char *s, size_t n, size_t e)
{
	static const char *const words[] = {"version ", "versions ", "release ", "releases "};
	size_t j, k, i;

	if (e >= n || s[e] != ' ')
		return 0;
	j = e + 1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (n - j >= strlen(words[i]) && memcmp(s + j, words[i], strlen(words[i])) == 0) {
			j += strlen(words[i]);
			break;
		}
	for (k = j; k < n && !is_space((unsigned char)s[k]); k++)
		;
	return version_token(s, j, k);
}

/* Does a version number end right before i ("2.4.57 and earlier")? */
static int version_before(const char *s, size_t i)
{
	size_t a;

	if (i < 2 || s[i - 1] != ' ')
		return 0;
	for (a = i - 1; a > 0 && !is_space((unsigned char)s[a - 1]); a--)
		;
	return version_token(s, a, i - 1);
}

/* A plural noun follows: a lowercase word of 3+ letters ending in s, but not -ss, -us, -is, nor a verb or
 * adverb ending in s. */
static int plural_after(const char *s, size_t n, size_t e)
{
	static const char *const nonplural =
	    "was|has|does|goes|always|across|whereas|perhaps|its|this|thus|yes|sometimes|besides|towards";
	size_t k;

	if (e >= n || s[e] != ' ')
		return 0;
	for (k = e + 1; k < n && is_lower((unsigned char)s[k]); k++)
		;
	if (k - (e + 1) < 3 || (k < n && !is_space((unsigned char)s[k]) && !strchr(".,;:)", s[k])) ||
	    s[k - 1] != 's' || strchr("sui", s[k - 2]))
		return 0;
	return !in_list(nonplural, s + e + 1, k - (e + 1));
}

/* Does the rest of the sentence after e coordinate a second object with "to" (", to", "and to", "or to")?
 * Then a variant ending in another preposition would leave that "to" dangling. */
static int coordinated_after(const char *s, size_t n, size_t e)
{
	static const char *const pats[] = {", to ", " and to ", " or to ", " as well as to "};
	size_t j, k, lim = n - e > COORD_MAX ? e + COORD_MAX : n;

	for (j = e; j < lim; j++) {
		if (s[j] && strchr(".!?;", s[j]) && (j + 1 >= n || is_space((unsigned char)s[j + 1])))
			return 0;
		if (s[j] == '\n' && blank_line_at(s, n, j + 1))
			return 0;
		for (k = 0; k < sizeof(pats) / sizeof(pats[0]); k++)
			if (n - j >= strlen(pats[k]) && memcmp(s + j, pats[k], strlen(pats[k])) == 0)
				return 1;
	}
	return 0;
}

/* ---- dates ---- */

static const char *const month_name[12] = {"January",   "February", "March",    "April",
                                           "May",       "June",     "July",     "August",
                                           "September", "October",  "November", "December"};

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int day_valid(int y, int mo, int d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return d >= 1 && d <= mdays[mo] + (mo == 1 && leap(y));
}

/* A month name at i, full or three letters ("Jun"), capitalised: returns its length, 0 if none. */
static size_t month_at(const char *s, size_t n, size_t i, int *mo)
{
	size_t l;
	int k;

	for (k = 0; k < 12; k++) {
		l = strlen(month_name[k]);
		if (n - i >= l && memcmp(s + i, month_name[k], l) == 0 &&
		    (i + l >= n || !is_alpha((unsigned char)s[i + l]))) {
			*mo = k;
			return l;
		}
	}
	for (k = 0; k < 12; k++)
		if (n - i >= 3 && memcmp(s + i, month_name[k], 3) == 0 &&
		    (i + 3 >= n || !is_alpha((unsigned char)s[i + 3]))) {
			*mo = k;
			return 3;
		}
	return 0;
}

/* A number of exactly lo to hi digits at i, no leading zero unless zero_ok: returns its length. */
static size_t number_at(const char *s, size_t n, size_t i, size_t lo, size_t hi, int zero_ok, int *v)
{
	size_t k = 0;

	*v = 0;
	while (i + k < n && is_digit((unsigned char)s[i + k]) && k <= hi)
		*v = *v * 10 + (s[i + k++] - '0');
	if (k < lo || k > hi || (!zero_ok && s[i] == '0'))
		return 0;
	return k;
}

/* Is the word before i one after which a date names a version ("release 2025-06-24")? */
static int version_word_before(const char *s, size_t i)
{
	size_t a, e;

	if (i < 2 || s[i - 1] != ' ')
		return 0;
	e = i - 1;
	for (a = e; a > 0 && is_alpha((unsigned char)s[a - 1]); a--)
		;
	return in_list("version|Version|release|Release|build|Build|snapshot|Snapshot|tag|Tag", s + a, e - a);
}

struct date {
	int y, mo, d;
	int form; /* 0 "June 24, 2025", 1 "24 June 2025", 2 "2025-06-24"; "Jun" stands for its full form */
	size_t len;
};

/* A date at i, in one of the first three forms, the first two also with a three-letter month ("Jun"); the
 * fourth, "24-Jun-2025", is one token and protected. The caller checks the span. */
static int match_date(const char *s, size_t n, size_t i, struct date *dt)
{
	size_t k = i, l;
	int mo, d, y;

	if (is_digit((unsigned char)s[i]) && (l = number_at(s, n, k, 4, 4, 1, &y)) && k + 10 <= n &&
	    s[k + 4] == '-' && number_at(s, n, k + 5, 2, 2, 1, &mo) && s[k + 7] == '-' &&
	    number_at(s, n, k + 8, 2, 2, 1, &d)) {
		if (mo < 1 || mo > 12 || version_word_before(s, i))
			return 0;
		*dt = (struct date){y, mo - 1, d, 2, 10};
	} else if (is_digit((unsigned char)s[i]) && (l = number_at(s, n, k, 1, 2, 0, &d)) && k + l < n &&
	           s[k + l] == ' ') {
		k += l + 1;
		if (!(l = month_at(s, n, k, &mo)) || k + l >= n || s[k + l] != ' ')
			return 0;
		k += l + 1;
		if (!number_at(s, n, k, 4, 4, 1, &y))
			return 0;
		*dt = (struct date){y, mo, d, 1, k + 4 - i};
	} else if (is_upper((unsigned char)s[i]) && (l = month_at(s, n, k, &mo)) && k + l < n &&
	           s[k + l] == ' ') {
		k += l + 1;
		if (!(l = number_at(s, n, k, 1, 2, 0, &d)) || k + l + 2 >= n || s[k + l] != ',' ||
		    s[k + l + 1] != ' ')
			return 0;
		k += l + 2;
		if (!number_at(s, n, k, 4, 4, 1, &y))
			return 0;
		*dt = (struct date){y, mo, d, 0, k + 4 - i};
	} else {
		return 0;
	}
	if (dt->y < 1970 || dt->y > 2099 || !day_valid(dt->y, dt->mo, dt->d))
		return 0;
	return next_ok(s, n, i + dt->len) &&
	       !(i + dt->len < n && strchr("-.", s[i + dt->len]) && i + dt->len + 1 < n &&
	         is_alnum((unsigned char)s[i + dt->len + 1]));
}

/* ---- the index of variants ---- */

struct entry {
	const char *s;
	size_t len;
	unsigned short group;
	unsigned char variant;
	unsigned char key; /* lowercase first byte */
};

struct index {
	struct entry *e;
	size_t n;
	size_t start[257]; /* entries with key k: [start[k], start[k + 1]) */
};

/* Longer first within a first letter, then table order: longest match first, deterministically. */
static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->variant < y->variant ? -1 : x->variant > y->variant;
}

static int index_build(struct index *ix)
{
	size_t g, cap = 0, k;
	const char *p, *q;

	for (g = 0; g < NGROUPS; g++)
		for (cap++, p = table[g].variants; *p; p++)
			cap += *p == '|';
	ix->e = malloc(cap * sizeof(*ix->e));
	if (!ix->e)
		return FW_ENOMEM;
	ix->n = 0;
	for (g = 0; g < NGROUPS; g++) {
		unsigned char v = 0;

		if (table[g].flags & F_DATE)
			continue;
		for (p = table[g].variants;; p = q + 1, v++) {
			q = strchr(p, '|');
			if (!q)
				q = p + strlen(p);
			ix->e[ix->n++] = (struct entry){p, (size_t)(q - p), (unsigned short)g, v,
			                                (unsigned char)to_lower((unsigned char)*p)};
			if (!*q)
				break;
		}
	}
	qsort(ix->e, ix->n, sizeof(*ix->e), entry_cmp);
	for (k = 0, g = 0; k <= 256; k++) {
		while (g < ix->n && ix->e[g].key < k)
			g++;
		ix->start[k] = g;
	}
	return 0;
}

/* Does entry e, which matches the bytes at i, satisfy its group's rules there? */
static int accept(const char *s, size_t n, const unsigned char *m, size_t i, const struct entry *e)
{
	const struct group *g = &table[e->group];
	int capital = is_upper((unsigned char)s[i]) && is_lower((unsigned char)e->s[0]);
	size_t end = i + e->len, wl;
	const char *w;

	if ((g->flags & F_FIRST) && e->variant != 0)
		return 0;
	if ((g->flags & F_LOWER) && capital)
		return 0;
	if ((g->flags & F_UPPER) && !capital)
		return 0;
	if (capital && !sentence_start(s, i))
		return 0; /* a capitalised word inside a sentence is taken for a name */
	if (is_alnum((unsigned char)e->s[e->len - 1]) ? !next_ok(s, n, end)
	                                              : (end < n && !is_space((unsigned char)s[end])))
		return 0;
	if (!span_free(m, i, end))
		return 0;
	if ((g->flags & F_PLURAL) && !plural_after(s, n, end))
		return 0;
	if ((g->flags & F_BEFORE_VER) && !version_after(s, n, end))
		return 0;
	if ((g->flags & F_AFTER_VER) && !version_before(s, i))
		return 0;
	if ((g->flags & F_ONE_OBJECT) && coordinated_after(s, n, end))
		return 0;
	if (g->next || g->notnext) {
		next_word(s, n, end, &w, &wl);
		if (g->next && !in_list(g->next, w, wl))
			return 0;
		if (g->notnext && in_list(g->notnext, w, wl))
			return 0;
	}
	return 1;
}

static const struct entry *match_word(const struct index *ix, const char *s, size_t n, const unsigned char *m,
                                      size_t i)
{
	unsigned char c = (unsigned char)s[i], k = (unsigned char)to_lower(c);
	size_t j;

	for (j = ix->start[k]; j < ix->start[k + 1]; j++) {
		const struct entry *e = &ix->e[j];

		if (e->len > n - i ||
		    !(c == (unsigned char)e->s[0] ||
		      (is_lower((unsigned char)e->s[0]) && c == to_upper((unsigned char)e->s[0]))))
			continue;
		if (memcmp(s + i + 1, e->s + 1, e->len - 1) == 0 && accept(s, n, m, i, e))
			return e;
	}
	return NULL;
}

/* ---- output ---- */

/* Literal text: every "{{" becomes the escape "{{{{", except a canary-facts directive, which stays. */
static int put_text(struct fw_buf *out, const char *s, size_t n)
{
	size_t i = 0, a = 0, d;
	int r;

	while (i + 1 < n) {
		if ((d = fw_template_facts_directive(s + i, n - i)) > 0) {
			i += d;
		} else if (s[i] == '{' && s[i + 1] == '{') {
			if ((r = fw_buf_append(out, s + a, i - a)) < 0 || (r = fw_buf_puts(out, "{{{{")) < 0)
				return r;
			i += 2;
			a = i;
		} else {
			i++;
		}
	}
	return fw_buf_append(out, s + a, n - a);
}

/* One option after the first: '|', then the variant, capitalised when the occurrence was. */
static int put_option(struct fw_buf *out, const char *v, size_t l, int capital)
{
	char c = (char)(capital ? to_upper((unsigned char)v[0]) : v[0]);
	int r;

	if ((r = fw_buf_append(out, "|", 1)) < 0 || (r = fw_buf_append(out, &c, 1)) < 0)
		return r;
	return fw_buf_append(out, v + 1, l - 1);
}

static int put_word_slot(struct fw_buf *out, const char *s, size_t i, const struct entry *e)
{
	const char *p = table[e->group].variants, *q;
	int capital = is_upper((unsigned char)s[i]) && is_lower((unsigned char)e->s[0]), r;
	unsigned v = 0;

	if ((r = fw_buf_puts(out, "{{")) < 0 || (r = fw_buf_append(out, s + i, e->len)) < 0)
		return r;
	for (;; p = q + 1, v++) {
		q = strchr(p, '|');
		if (!q)
			q = p + strlen(p);
		if (v != e->variant && (r = put_option(out, p, (size_t)(q - p), capital)) < 0)
			return r;
		if (!*q)
			break;
	}
	return fw_buf_puts(out, "}}");
}

static int put_date_slot(struct fw_buf *out, const char *s, size_t i, const struct date *dt)
{
	char f[4][32];
	int k, r;

	snprintf(f[0], sizeof(f[0]), "%s %d, %d", month_name[dt->mo], dt->d, dt->y);
	snprintf(f[1], sizeof(f[1]), "%d %s %d", dt->d, month_name[dt->mo], dt->y);
	snprintf(f[2], sizeof(f[2]), "%04d-%02d-%02d", dt->y, dt->mo + 1, dt->d);
	snprintf(f[3], sizeof(f[3]), "%02d-%.3s-%d", dt->d, month_name[dt->mo], dt->y);
	if ((r = fw_buf_puts(out, "{{")) < 0 || (r = fw_buf_append(out, s + i, dt->len)) < 0)
		return r;
	for (k = 0; k < 4; k++)
		if (k != dt->form &&
		    ((r = fw_buf_append(out, "|", 1)) < 0 || (r = fw_buf_puts(out, f[k])) < 0))
			return r;
	return fw_buf_puts(out, "}}");
}

/*
 * Does the text hold a slot: a "{{" that is not the escape "{{{{" nor a canary-facts directive (where the
 * author allows facts, not a slot of their choosing), closed by a later "}}"?
 */
static int has_slot(const char *s, size_t n)
{
	size_t i = 0, d;

	while (i + 1 < n) {
		if ((d = fw_template_facts_directive(s + i, n - i)) > 0) {
			i += d;
		} else if (s[i] != '{' || s[i + 1] != '{') {
			i++;
		} else if (i + 3 < n && s[i + 2] == '{' && s[i + 3] == '{') {
			i += 4;
		} else {
			for (i += 2; i + 1 < n; i++)
				if (s[i] == '}' && s[i + 1] == '}')
					return 1;
			return 0;
		}
	}
	return 0;
}

static int slot_all(const char *s, size_t n, struct fw_buf *out, size_t *ret_slots)
{
	struct index ix = {NULL, 0, {0}};
	unsigned char *m = NULL;
	size_t i = 0, a = 0, slots = 0;
	const struct entry *e;
	struct date dt;
	int r;

	m = calloc(n ? n : 1, 1);
	if (!m || (r = index_build(&ix)) < 0) {
		r = FW_ENOMEM;
		goto out;
	}
	protect_code_lines(s, n, m);
	protect_inline(s, n, m);
	protect_tokens(s, n, m);
	while (i < n && slots < FW_LEXICON_SLOTS_MAX) {
		if (m[i] || !is_alnum((unsigned char)s[i]) || !prev_ok(s, i)) {
			i++;
			continue;
		}
		if (match_date(s, n, i, &dt) && span_free(m, i, i + dt.len)) {
			if ((r = put_text(out, s + a, i - a)) < 0 || (r = put_date_slot(out, s, i, &dt)) < 0)
				goto out;
			i += dt.len;
		} else if ((e = match_word(&ix, s, n, m, i))) {
			if ((r = put_text(out, s + a, i - a)) < 0 || (r = put_word_slot(out, s, i, e)) < 0)
				goto out;
			i += e->len;
		} else {
			i++;
			continue;
		}
		a = i;
		slots++;
	}
	if ((r = put_text(out, s + a, n - a)) < 0)
		goto out;
	*ret_slots = slots;
	r = 0;
out:
	free(ix.e);
	free(m);
	return r;
}

int fw_lexicon_slot(const char *prose, size_t len, struct fw_buf *out, size_t *ret_slots)
{
	size_t len0, slots = 0;
	int r;

	if (!out || (!prose && len > 0))
		return FW_EINVAL;
	if (len > FW_LEXICON_PROSE_MAX)
		return FW_ETOOBIG;
	if (len > 0 && memchr(prose, '\0', len))
		return FW_EINVAL; /* no template holds a NUL byte */
	len0 = out->len;
	if (len == 0 || has_slot(prose, len))
		r = len ? fw_buf_append(out, prose, len)
		        : 0; /* authored templates keep their slots and escapes */
	else
		r = slot_all(prose, len, out, &slots);
	if (r < 0) {
		out->len = len0; /* out is left as it was */
		if (out->data)
			out->data[len0] = '\0';
		return r;
	}
	if (ret_slots)
		*ret_slots = slots;
	return 0;
}
