/* plugin-trust.c: a plugin runs with the loader's privileges.  The file is
 * opened through the StrictModes walk of ini/trusted-open.c (which says
 * who may own and write it and every directory on the way), its ELF
 * header and tables checked on the open descriptor, and it is loaded from
 * that descriptor through /proc/self/fd/N, so nothing can be swapped
 * between the check and the load. */
#include "config.h"

#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib.h>

#include "runtime/plugin-trust.h"
#include "ini/trusted-open.h"

/* What this process loads: its own class, byte order and machine. */
#if __SIZEOF_POINTER__ == 8
#define NATIVE_CLASS ELFCLASS64
#else
#define NATIVE_CLASS ELFCLASS32
#endif
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define NATIVE_DATA ELFDATA2LSB
#else
#define NATIVE_DATA ELFDATA2MSB
#endif
#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#elif defined(__i386__)
#define NATIVE_MACHINE EM_386
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#elif defined(__arm__)
#define NATIVE_MACHINE EM_ARM
#elif defined(__powerpc64__)
#define NATIVE_MACHINE EM_PPC64
#elif defined(__powerpc__)
#define NATIVE_MACHINE EM_PPC
#elif defined(__s390__)
#define NATIVE_MACHINE EM_S390
#elif defined(__riscv)
#define NATIVE_MACHINE EM_RISCV
#elif defined(__mips__)
#define NATIVE_MACHINE EM_MIPS
#elif defined(__loongarch__)
#define NATIVE_MACHINE EM_LOONGARCH
#else
#define NATIVE_MACHINE EM_NONE     /* unknown here: the dynamic loader judges */
#endif

static const char *
segment_type(uint32_t t)
{
	switch (t) {
	case PT_LOAD: return "PT_LOAD";
	case PT_DYNAMIC: return "PT_DYNAMIC";
	case PT_INTERP: return "PT_INTERP";
	case PT_NOTE: return "PT_NOTE";
	case PT_PHDR: return "PT_PHDR";
	case PT_TLS: return "PT_TLS";
	case PT_GNU_EH_FRAME: return "PT_GNU_EH_FRAME";
	case PT_GNU_STACK: return "PT_GNU_STACK";
	case PT_GNU_RELRO: return "PT_GNU_RELRO";
	case PT_GNU_PROPERTY: return "PT_GNU_PROPERTY";
	}
	return NULL;
}

static const char *
elf_type(unsigned int t)
{
	switch (t) {
	case ET_REL: return "a relocatable object";
	case ET_EXEC: return "an executable";
	case ET_CORE: return "a core file";
	}
	return "unknown";
}

/* A table of 'n' entries of 'entsize' bytes at 'off' ends inside 'size'. */
static bool
table_fits(uint64_t off, uint64_t n, uint64_t entsize, uint64_t size, uint64_t *end)
{
	uint64_t len;

	if (__builtin_mul_overflow(n, entsize, &len) || __builtin_add_overflow(off, len, end)) {
		*end = UINT64_MAX;
		return false;
	}
	return *end <= size;
}

static bool
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

int
ovsdp_trust_check_elf(int fd, char **why)
{
	ElfW(Ehdr) eh;
	g_autofree ElfW(Phdr) *ph = NULL;
	struct stat st;
	uint64_t size, end, shnum;

	*why = NULL;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		*why = g_strdup(g_strerror(e));
		return -e;
	}
	size = (uint64_t)st.st_size;
	if (size < sizeof eh) {
		*why = g_strdup_printf("not an ELF file: %" G_GUINT64_FORMAT " bytes, shorter "
				       "than an ELF header (%zu)", size, sizeof eh);
		return -ELIBBAD;
	}
	if (!read_at(fd, &eh, sizeof eh, 0))
		goto short_read;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		*why = g_strdup("not an ELF file: it does not start with the ELF magic number");
		return -ELIBBAD;
	}
	if (eh.e_ident[EI_CLASS] != NATIVE_CLASS) {
		*why = g_strdup_printf("wrong ELF class %u (this host loads %u-bit objects, "
				       "class %u)", eh.e_ident[EI_CLASS],
				       NATIVE_CLASS == ELFCLASS64 ? 64 : 32, NATIVE_CLASS);
		return -ELIBBAD;
	}
	if (eh.e_ident[EI_DATA] != NATIVE_DATA) {
		*why = g_strdup_printf("wrong ELF byte order %u (this host's is %u)",
				       eh.e_ident[EI_DATA], NATIVE_DATA);
		return -ELIBBAD;
	}
	if (eh.e_type != ET_DYN) {
		*why = g_strdup_printf("not a shared object: ELF type %u (%s)", eh.e_type,
				       elf_type(eh.e_type));
		return -ELIBBAD;
	}
	if (NATIVE_MACHINE != EM_NONE && eh.e_machine != NATIVE_MACHINE) {
		*why = g_strdup_printf("built for ELF machine %u, this host is machine %u",
				       eh.e_machine, NATIVE_MACHINE);
		return -ELIBBAD;
	}
	if (eh.e_phnum == 0 || eh.e_phnum == PN_XNUM || eh.e_phentsize != sizeof *ph) {
		*why = g_strdup_printf("bad program header table: %u entries of %u bytes",
				       eh.e_phnum, eh.e_phentsize);
		return -ELIBBAD;
	}
	if (!table_fits(eh.e_phoff, eh.e_phnum, eh.e_phentsize, size, &end)) {
		*why = g_strdup_printf("truncated: the program header table ends at byte %"
				       G_GUINT64_FORMAT ", past the end of the file (%"
				       G_GUINT64_FORMAT " bytes)", end, size);
		return -ELIBBAD;
	}
	ph = g_new(ElfW(Phdr), eh.e_phnum);
	if (!read_at(fd, ph, (size_t)eh.e_phnum * sizeof *ph, eh.e_phoff))
		goto short_read;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		const char *t = segment_type(ph[i].p_type);

		if (ph[i].p_filesz == 0)
			continue;
		if (!table_fits(ph[i].p_offset, 1, ph[i].p_filesz, size, &end)) {
			if (t)
				*why = g_strdup_printf("truncated: segment %u (%s) ends at byte %"
						       G_GUINT64_FORMAT ", past the end of the file (%"
						       G_GUINT64_FORMAT " bytes)", i, t, end, size);
			else
				*why = g_strdup_printf("truncated: segment %u (type 0x%x) ends at byte %"
						       G_GUINT64_FORMAT ", past the end of the file (%"
						       G_GUINT64_FORMAT " bytes)", i,
						       (unsigned int)ph[i].p_type, end, size);
			return -ELIBBAD;
		}
	}
	if (eh.e_shoff == 0)
		return 0;     /* no section headers: the loader does not need them */
	shnum = eh.e_shnum;
	if (eh.e_shentsize != sizeof(ElfW(Shdr))) {
		*why = g_strdup_printf("bad section header table: entries of %u bytes",
				       eh.e_shentsize);
		return -ELIBBAD;
	}
	if (shnum == 0) {
		/* More than SHN_LORESERVE sections: the count is in entry 0. */
		ElfW(Shdr) sh0;

		if (!table_fits(eh.e_shoff, 1, sizeof sh0, size, &end))
			goto sh_truncated;
		if (!read_at(fd, &sh0, sizeof sh0, eh.e_shoff))
			goto short_read;
		shnum = sh0.sh_size;
	}
	if (!table_fits(eh.e_shoff, shnum, eh.e_shentsize, size, &end))
		goto sh_truncated;
	return 0;

sh_truncated:
	*why = g_strdup_printf("truncated: the section header table ends at byte %"
			       G_GUINT64_FORMAT ", past the end of the file (%" G_GUINT64_FORMAT
			       " bytes)", end, size);
	return -ELIBBAD;
short_read:
	*why = g_strdup("the file shrank while being read");
	return -ELIBBAD;
}

struct name_search {
	const char *name;
	bool found;
};

static int
name_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct name_search *s = data;

	(void)size;
	if (info->dlpi_name && !strcmp(info->dlpi_name, s->name)) {
		s->found = true;
		return 1;
	}
	return 0;
}

/* The dynamic loader (and GModule) return an object already loaded under
 * the same name instead of opening the file: a /proc/self/fd/N name of a
 * plugin loaded earlier, whose descriptor number was reused, would load
 * that plugin again instead of this one.  dl_iterate_phdr() shows only the
 * name an object was first loaded by; but the loader matches every name
 * it was opened by since (the same file opened again under another name is
 * the same object, and keeps that name too), and GModule caches modules by
 * name while they are referenced.  So a name given to the loader once is
 * never given again (a daemon that reloads its plugins opens the same files
 * under new names, and closes the old descriptors). */
static pthread_mutex_t used_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *used_names;
static int max_used_fd = -1;    /* the highest N of the names used */

static bool
name_loaded(const char *name)
{
	struct name_search s = { name, false };
	bool used;

	pthread_mutex_lock(&used_lock);
	used = used_names && g_hash_table_contains(used_names, name);
	pthread_mutex_unlock(&used_lock);
	if (used)
		return true;
	dl_iterate_phdr(name_cb, &s);
	return s.found;
}

static void
name_used(const char *name, int fd)
{
	pthread_mutex_lock(&used_lock);
	if (!used_names)
		used_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_add(used_names, g_strdup(name));
	if (fd > max_used_fd)
		max_used_fd = fd;
	pthread_mutex_unlock(&used_lock);
}

/* A number above every name used so far, for the first duplicate. */
static int
first_unused_fd(void)
{
	int n;

	pthread_mutex_lock(&used_lock);
	n = max_used_fd + 1;
	pthread_mutex_unlock(&used_lock);
	return n;
}

/* Replace every 'from' in 'text' by 'to'. */
static char *
replace_all(const char *text, const char *from, const char *to)
{
	g_auto(GStrv) parts = g_strsplit(text, from, -1);

	return g_strjoinv(to, parts);
}

GModule *
ovsdp_trust_module_open(int fd, const char *real, int *module_fd, char **why)
{
	int dups[64];
	unsigned int n_dups = 0;
	int use = fd;
	char name[64];
	GModule *m = NULL;

	*module_fd = -1;
	*why = NULL;
	for (;;) {
		g_snprintf(name, sizeof name, "/proc/self/fd/%d", use);
		if (!name_loaded(name))
			break;
		if (n_dups == G_N_ELEMENTS(dups)) {
			*why = g_strdup_printf("cannot be loaded: no free /proc/self/fd name "
					       "(%s is loaded already)", name);
			goto out;
		}
		/* The duplicates stay open until a free number comes up; the
		 * first one above every number used (below it, if the limit
		 * on descriptors forbids that). */
		use = n_dups == 0 ? fcntl(fd, F_DUPFD_CLOEXEC, first_unused_fd()) : -1;
		if (use < 0)
			use = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (use < 0) {
			*why = g_strdup_printf("cannot be loaded: %s", g_strerror(errno));
			goto out;
		}
		dups[n_dups++] = use;
	}
	m = g_module_open(name, G_MODULE_BIND_LOCAL);
	if (!m) {
		g_autofree char *msg = replace_all(g_module_error(), name, real);

		*why = g_strdup_printf("cannot be loaded: %s", msg);
		goto out;
	}
	name_used(name, use);
	*module_fd = use;
out:
	for (unsigned int i = 0; i < n_dups; i++) {
		if (dups[i] != *module_fd)
			close(dups[i]);
	}
	return m;
}

int
ovsdp_trust_open(const char *path, int *fd, char **real, char **why)
{
	return trusted_open(path, 0, fd, real, why);
}
