#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "registry.h"

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static ReplDb *g_list[256];
static int g_n = 0;

static ReplDb *find_locked(const char *zPath, size_t n) {
  for (int i = 0; i < g_n; i++) {
    if (strlen(g_list[i]->zPath) == n && memcmp(g_list[i]->zPath, zPath, n) == 0) return g_list[i];
  }
  return NULL;
}

int wr_registry_add(const char *zPath) {
  ReplDb *p;
  int rc = SQLITE_OK;
  pthread_mutex_lock(&g_mu);
  p = find_locked(zPath, strlen(zPath));
  if (p != NULL) {
    p->refs++;
  } else if (g_n == (int)(sizeof(g_list) / sizeof(g_list[0]))) {
    rc = SQLITE_FULL;
  } else {
    pthread_condattr_t attr;
    p = calloc(1, sizeof(*p));
    if (p == NULL || (p->zPath = strdup(zPath)) == NULL) {
      free(p);
      rc = SQLITE_NOMEM;
    } else {
      pthread_mutex_init(&p->mu, NULL);
      pthread_condattr_init(&attr);
      pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
      pthread_cond_init(&p->cv, &attr);
      pthread_condattr_destroy(&attr);
      p->refs = 1;
      p->pendOff = -1;
      g_list[g_n++] = p;
    }
  }
  pthread_mutex_unlock(&g_mu);
  return rc;
}

/* Entries are never freed: open files may still point at them. Unregistering only stops
 * new opens from being treated as replicated. */
int wr_registry_remove(const char *zPath) {
  ReplDb *p;
  pthread_mutex_lock(&g_mu);
  p = find_locked(zPath, strlen(zPath));
  if (p != NULL && p->refs > 0) p->refs--;
  pthread_mutex_unlock(&g_mu);
  return p != NULL ? SQLITE_OK : SQLITE_NOTFOUND;
}

ReplDb *wr_registry_find(const char *zPath, int wal) {
  ReplDb *p;
  size_t n;
  if (zPath == NULL) return NULL;
  n = strlen(zPath);
  if (wal) {
    if (n < 4 || memcmp(zPath + n - 4, "-wal", 4) != 0) return NULL;
    n -= 4;
  }
  pthread_mutex_lock(&g_mu);
  p = find_locked(zPath, n);
  if (p != NULL && p->refs == 0) p = NULL;
  pthread_mutex_unlock(&g_mu);
  return p;
}
