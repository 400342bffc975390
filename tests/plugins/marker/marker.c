/* marker.c: the attacker's library of the plugin race test: its
 * constructor leaves "ran-as-uid-N" in $OVSDP_TEST_MARKER_DIR, so the test
 * sees whether (and as whom) it ever ran. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void
marker_ran(void)
{
	const char *dir = getenv("OVSDP_TEST_MARKER_DIR");
	char path[4096];
	int fd;

	if (!dir)
		return;
	snprintf(path, sizeof path, "%s/ran-as-uid-%u", dir, (unsigned int)geteuid());
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}
