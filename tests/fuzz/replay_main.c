/* replay_main.c — a main() for the harnesses outside libFuzzer: runs
 * LLVMFuzzerTestOneInput() on every file named on the command line (a
 * folder: every file in it), so the regression corpus replays in the normal
 * build, under the sanitizer configuration and under valgrind. */
#include "fuzz_common.h"
#include "../read_file.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
    size_t len;
    unsigned char *buf = read_file(path, &len);
    if (!buf) {
        fprintf(stdout, "replay: cannot read %s\n", path);
        return 1;
    }
    /* An exact-size copy, so reads past the end trip AddressSanitizer. */
    unsigned char *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0, n = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            struct dirent **list;
            int k = scandir(argv[i], &list, NULL, alphasort);
            for (int j = 0; j < k; j++) {
                if (list[j]->d_name[0] != '.') {
                    char p[4096];
                    snprintf(p, sizeof p, "%s/%s", argv[i], list[j]->d_name);
                    bad += run_file(p);
                    n++;
                }
                free(list[j]);
            }
            if (k >= 0)
                free(list);
        } else {
            bad += run_file(argv[i]);
            n++;
        }
    }
    printf("replay: %d inputs, %d unreadable\n", n, bad);
    return bad ? 1 : 0;
}
