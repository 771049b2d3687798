#include <string.h>
#include "walfmt.h"

u32 wr_get4(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | (u32)p[3]; }

void wr_put4(u8 *p, u32 v) {
  p[0] = (u8)(v >> 24);
  p[1] = (u8)(v >> 16);
  p[2] = (u8)(v >> 8);
  p[3] = (u8)v;
}

int wr_host_big_endian(void) {
  const u16 one = 1;
  return *(const u8 *)&one == 0;
}

static u32 bswap32(u32 x) { return __builtin_bswap32(x); }

void wr_checksum(int native, const u8 *a, u32 n, u32 s[2]) {
  u32 s0 = s[0], s1 = s[1];
  const u8 *end = a + n;
  while (a < end) {
    u32 x0, x1;
    memcpy(&x0, a, 4);
    memcpy(&x1, a + 4, 4);
    if (!native) {
      x0 = bswap32(x0);
      x1 = bswap32(x1);
    }
    s0 += x0 + s1;
    s1 += x1 + s0;
    a += 8;
  }
  s[0] = s0;
  s[1] = s1;
}

/* Region k holds frames (k==0 ? 1 : 4062+(k-1)*4096+1) onwards. */
u32 wr_frame_region(u32 iFrame) { return (iFrame + WI_NPAGE - WI_NPAGE_ONE - 1) / WI_NPAGE; }

i64 wr_frame_offset(u32 iFrame, u32 szPage) {
  return WAL_HDR_SIZE + (i64)(iFrame - 1) * (i64)(szPage + WAL_FRAME_HDR_SIZE);
}

u32 wr_decode_page_size(u16 sz) { return ((u32)sz & 0xfe00u) | (((u32)sz & 0x0001u) << 16); }

u16 wr_encode_page_size(u32 sz) { return (u16)((sz & 0xff00u) | (sz >> 16)); }

static int hdr_valid(const WiHdr *h) {
  u32 c[2] = {0, 0};
  if (!h->isInit) return 0;
  wr_checksum(1, (const u8 *)h, offsetof(WiHdr, aCksum), c);
  return c[0] == h->aCksum[0] && c[1] == h->aCksum[1];
}

int wr_hdr_read(volatile u8 *region0, WiHdr *out) {
  WiHdr h1;
  memcpy(out, (const void *)region0, sizeof(WiHdr));
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  memcpy(&h1, (const void *)(region0 + sizeof(WiHdr)), sizeof(WiHdr));
  if (memcmp(out, &h1, sizeof(WiHdr)) != 0) return 0;
  return hdr_valid(out);
}

void wr_hdr_write(volatile u8 *region0, WiHdr *h) {
  h->isInit = 1;
  h->iVersion = WAL_VERSION;
  h->unused = 0;
  h->aCksum[0] = h->aCksum[1] = 0;
  wr_checksum(1, (const u8 *)h, offsetof(WiHdr, aCksum), h->aCksum);
  memcpy((void *)(region0 + sizeof(WiHdr)), h, sizeof(WiHdr));
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  memcpy((void *)region0, h, sizeof(WiHdr));
}

typedef struct HashLoc {
  volatile u32 *aPgno; /* aPgno[0] is the entry of frame iZero+1 */
  volatile u16 *aHash;
  u32 iZero;
} HashLoc;

static int hash_loc(wr_shm_map_fn map, void *ctx, u32 region, HashLoc *loc) {
  volatile u8 *p = NULL;
  int rc = map(ctx, region, &p);
  if (rc != SQLITE_OK) return rc;
  if (p == NULL) return SQLITE_IOERR_SHMMAP;
  loc->aHash = (volatile u16 *)(p + WI_NPAGE * sizeof(u32));
  if (region == 0) {
    loc->aPgno = (volatile u32 *)(p + WI_HDR_SIZE);
    loc->iZero = 0;
  } else {
    loc->aPgno = (volatile u32 *)p;
    loc->iZero = WI_NPAGE_ONE + (region - 1) * WI_NPAGE;
  }
  return SQLITE_OK;
}

int wr_index_cleanup(wr_shm_map_fn map, void *ctx, u32 mxFrame) {
  HashLoc loc;
  int rc;
  u32 limit;
  if (mxFrame == 0) return SQLITE_OK;
  rc = hash_loc(map, ctx, wr_frame_region(mxFrame), &loc);
  if (rc != SQLITE_OK) return rc;
  limit = mxFrame - loc.iZero;
  for (u32 i = 0; i < WI_NSLOT; i++) {
    if (loc.aHash[i] > limit) loc.aHash[i] = 0;
  }
  memset((void *)&loc.aPgno[limit], 0, (size_t)((volatile u8 *)loc.aHash - (volatile u8 *)&loc.aPgno[limit]));
  return SQLITE_OK;
}

int wr_index_append(wr_shm_map_fn map, void *ctx, u32 iFrame, u32 pgno, u32 mxFrame) {
  HashLoc loc;
  u32 idx, key, collisions;
  int rc = hash_loc(map, ctx, wr_frame_region(iFrame), &loc);
  if (rc != SQLITE_OK) return rc;
  idx = iFrame - loc.iZero;
  if (idx == 1) {
    /* first frame of this region: start from an empty page-number array and hash table */
    memset((void *)loc.aPgno, 0, (size_t)((volatile u8 *)&loc.aHash[WI_NSLOT] - (volatile u8 *)loc.aPgno));
  }
  if (loc.aPgno[idx - 1] != 0) {
    /* leftovers of a transaction that never committed: clean them up lazily, as SQLite does */
    rc = wr_index_cleanup(map, ctx, mxFrame);
    if (rc != SQLITE_OK) return rc;
    if (loc.aPgno[idx - 1] != 0) return SQLITE_CORRUPT;
  }
  collisions = idx;
  for (key = (pgno * WI_HASH_MUL) & (WI_NSLOT - 1); loc.aHash[key] != 0; key = (key + 1) & (WI_NSLOT - 1)) {
    if (collisions-- == 0) return SQLITE_CORRUPT;
  }
  loc.aPgno[(idx - 1) & (WI_NPAGE - 1)] = pgno;
  /* readers look the slot up without a lock: the page number must be in place first */
  __atomic_store_n(&loc.aHash[key], (u16)idx, __ATOMIC_RELEASE);
  return SQLITE_OK;
}
