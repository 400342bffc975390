/* replay.c: runs a fuzz target's body over files without libFuzzer, so the
 * seed corpora and every crash reproducer in regressions/ are replayed by the
 * unit suite (and under valgrind) on every build.
 *   fuzz-replay-TARGET DIR|FILE... */
#include "config.h"

#include <stdio.h>
#include <stdint.h>
#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path, unsigned int *n)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) err = NULL;
	gsize len;

	if (!g_file_get_contents(path, &data, &len, &err)) {
		fprintf(stderr, "replay: %s\n", err->message);
		return 1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	(*n)++;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int n = 0;
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		g_autoptr(GDir) dir = g_dir_open(argv[i], 0, NULL);
		const char *name;

		if (!dir) {
			bad |= replay_file(argv[i], &n);
			continue;
		}
		while ((name = g_dir_read_name(dir))) {
			g_autofree char *path = g_build_filename(argv[i], name, NULL);

			bad |= replay_file(path, &n);
		}
	}
	printf("replayed %u inputs\n", n);
	if (n == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	return bad;
}
