/*
 * tmpfs mount options (tmpfs(5)): size= (bytes with a k, m, g, t, p or e
 * suffix, or a percentage of RAM; rounded up to whole pages), nr_blocks=,
 * nr_inodes=, mode=, uid= and gid= (and inode64, noswap, huge=never, which
 * describe this tmpfs as it is), parsed from mount(2)'s data string, applied
 * to a new instance or, with MS_REMOUNT, to a mounted one, and shown back in
 * /proc/mounts when they differ from the defaults (half of RAM, as many
 * inodes, mode 1777). A limit of 0 means none.
 */
#include "internal.h"
#include "page.h"

/* A number with an optional binary suffix (Linux's memparse); false on garbage. */
static bool parse_size(const char *s, u64 *out, bool *percent)
{
	u64 v = 0;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		if (v > (~0UL - 9) / 10)
			return false;
		v = v * 10 + (u64)(*s++ - '0');
	}
	switch (*s) {
	case 'k': case 'K': shift = 10; s++; break;
	case 'm': case 'M': shift = 20; s++; break;
	case 'g': case 'G': shift = 30; s++; break;
	case 't': case 'T': shift = 40; s++; break;
	case 'p': case 'P': shift = 50; s++; break;
	case 'e': case 'E': shift = 60; s++; break;
	case '%':
		if (!percent)
			return false;
		*percent = true;
		s++;
		break;
	}
	if (*s)
		return false;
	if (shift && v > (~0UL >> shift))
		return false;
	*out = v << shift;
	return true;
}

static bool parse_uint(const char *s, unsigned base, u64 *out)
{
	u64 v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || d >= base || v > (~0UL - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

int tmpfs_opts_parse(char *data, struct tmpfs_opts *o)
{
	char *opt = data, *next, *val;
	u64 v;

	memset(o, 0, sizeof(*o));
	for (; opt && *opt; opt = next) {
		next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		if (!*opt)
			continue;
		val = strchr(opt, '=');
		if (val)
			*val++ = '\0';
		if (!strcmp(opt, "rw") || !strcmp(opt, "nosuid") || !strcmp(opt, "nodev") ||
		    !strcmp(opt, "noexec") || !strcmp(opt, "relatime"))
			continue;	/* flags mount(8) may leave in the string */
		/* What Sprout's tmpfs is anyway: 64-bit inode numbers, no swap,
		 * no huge pages (Linux without THP refuses other huge= values). */
		if (!strcmp(opt, "inode64") || !strcmp(opt, "noswap") ||
		    (val && !strcmp(opt, "huge") && !strcmp(val, "never")))
			continue;
		if (!val)
			return -EINVAL;
		if (!strcmp(opt, "size")) {
			bool pct = false;

			if (!parse_size(val, &v, &pct))
				return -EINVAL;
			if (pct)
				v = v * PAGE_SIZE * page_total_count() / 100;
			o->pages = (v + PAGE_SIZE - 1) / PAGE_SIZE;
			o->has_size = true;
		} else if (!strcmp(opt, "nr_blocks")) {
			if (!parse_size(val, &o->pages, NULL))
				return -EINVAL;
			o->has_size = true;
		} else if (!strcmp(opt, "nr_inodes")) {
			if (!parse_size(val, &o->inodes, NULL))
				return -EINVAL;
			o->has_inodes = true;
		} else if (!strcmp(opt, "mode")) {
			if (!parse_uint(val, 8, &v))
				return -EINVAL;
			o->mode = (u32)v & 07777;
			o->has_mode = true;
		} else if (!strcmp(opt, "uid") || !strcmp(opt, "gid")) {
			if (!parse_uint(val, 10, &v) || v >= 0xffffffffUL)
				return -EINVAL;
			if (opt[0] == 'u') {
				o->uid = (uid_t)v;
				o->has_uid = true;
			} else {
				o->gid = (gid_t)v;
				o->has_gid = true;
			}
		} else {
			return -EINVAL;	/* tmpfs: "Unknown parameter" */
		}
	}
	return 0;
}

int tmpfs_opts_apply(struct inode *root, const struct tmpfs_opts *o, bool remount)
{
	struct superblock *sb = root->sb;
	int err = 0;

	spin_lock(&sb->lock);
	/* Linux's shmem_reconfigure(): no limit may appear where there was
	 * none, nor fall below what is in use. */
	if (remount && o->has_size && o->pages &&
	    (!sb->max_pages || o->pages < sb->used_pages))
		err = -EINVAL;
	if (remount && o->has_inodes && o->inodes &&
	    (!sb->max_inodes || o->inodes < sb->used_inodes))
		err = -EINVAL;
	if (!err) {
		if (o->has_size)
			sb->max_pages = o->pages;
		if (o->has_inodes)
			sb->max_inodes = o->inodes;
	}
	spin_unlock(&sb->lock);
	if (err || remount)
		return err;
	/* A new instance: the root directory's mode and owner. */
	mutex_lock(&root->lock);
	if (o->has_mode)
		root->mode = S_IFDIR | o->mode;
	if (o->has_uid)
		root->uid = o->uid;
	if (o->has_gid)
		root->gid = o->gid;
	mutex_unlock(&root->lock);
	return 0;
}

size_t tmpfs_opts_show(struct inode *root, u32 default_mode, char *buf, size_t size)
{
	struct superblock *sb = root->sb;
	u64 def = sb_default_pages(), pages, inodes;
	size_t len = 0;
	int n;

	spin_lock(&sb->lock);
	pages = sb->max_pages;
	inodes = sb->max_inodes;
	spin_unlock(&sb->lock);
	if (pages != def) {
		n = snprintf(buf + len, size - len, ",size=%luk", (unsigned long)pages * 4);
		len = MIN(len + (size_t)MAX(n, 0), size - 1);
	}
	if (inodes != def) {
		n = snprintf(buf + len, size - len, ",nr_inodes=%lu", (unsigned long)inodes);
		len = MIN(len + (size_t)MAX(n, 0), size - 1);
	}
	if ((root->mode & 07777) != default_mode) {
		n = snprintf(buf + len, size - len, ",mode=%03o", root->mode & 07777);
		len = MIN(len + (size_t)MAX(n, 0), size - 1);
	}
	if (root->uid) {
		n = snprintf(buf + len, size - len, ",uid=%u", (unsigned)root->uid);
		len = MIN(len + (size_t)MAX(n, 0), size - 1);
	}
	if (root->gid) {
		n = snprintf(buf + len, size - len, ",gid=%u", (unsigned)root->gid);
		len = MIN(len + (size_t)MAX(n, 0), size - 1);
	}
	return len;
}
