/* tmpdir_remove: the unit tests' clean-up of a directory made with mkdtemp: removes it and everything in it,
 * subdirectories too (no shell). 0 on success, -1 if something could not be removed. */
#ifndef FW_TESTS_TMPDIR_H
#define FW_TESTS_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static inline int tmpdir_remove(const char *dir)
{
	char path[4096];
	struct dirent *de;
	struct stat st;
	int r = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path) ||
		    lstat(path, &st) != 0)
			r = -1;
		else if (S_ISDIR(st.st_mode) ? tmpdir_remove(path) : remove(path))
			r = -1;
	}
	closedir(d);
	return remove(dir) == 0 ? r : -1;
}

#endif
