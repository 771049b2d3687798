/* The on-disk WAL format and the wal-index (-shm) layout of SQLite 3.53 (research §1, §2). */
#ifndef WALRAFT_WALFMT_H
#define WALRAFT_WALFMT_H

#include "common.h"

#define WAL_MAGIC 0x377f0682u
#define WAL_VERSION 3007000u
#define WAL_HDR_SIZE 32
#define WAL_FRAME_HDR_SIZE 24

#define WI_REGION_SIZE 32768        /* one xShmMap region */
#define WI_HDR_SIZE 136             /* two WalIndexHdr copies + WalCkptInfo */
#define WI_NPAGE 4096               /* aPgno entries per region */
#define WI_NPAGE_ONE 4062           /* in region 0, after the header */
#define WI_NSLOT 8192               /* u16 hash slots per region */
#define WI_HASH_MUL 383
#define WI_READMARK_NOT_USED 0xffffffffu

/* xShmLock slots */
#define WR_LOCK_WRITE 0
#define WR_LOCK_CKPT 1
#define WR_LOCK_RECOVER 2
#define WR_LOCK_READ0 3
#define WR_NLOCK 8

/* One copy of the wal-index header, host byte order, 48 bytes. */
typedef struct WiHdr {
  u32 iVersion;
  u32 unused;
  u32 iChange;
  u8 isInit;
  u8 bigEndCksum;
  u16 szPage;
  u32 mxFrame;
  u32 nPage;
  u32 aFrameCksum[2];
  u8 aSalt[8];
  u32 aCksum[2];
} WiHdr;

/* Offsets (bytes) of WalCkptInfo fields inside region 0. */
#define WI_OFF_NBACKFILL 96
#define WI_OFF_READMARK 100
#define WI_OFF_NBACKFILL_ATTEMPTED 128

u32 wr_get4(const u8 *p);
void wr_put4(u8 *p, u32 v);
int wr_host_big_endian(void);

/* SQLite's cumulative WAL checksum over n bytes (n a multiple of 8); s is updated in place.
 * native: words are read in host order; otherwise each word is byte-swapped. */
void wr_checksum(int native, const u8 *a, u32 n, u32 s[2]);

u32 wr_frame_region(u32 iFrame);
i64 wr_frame_offset(u32 iFrame, u32 szPage);
u32 wr_decode_page_size(u16 sz);
u16 wr_encode_page_size(u32 sz);

/* Reads both header copies (copy 0, fence, copy 1); returns 1 when they agree, are
 * initialised and their checksum holds. */
int wr_hdr_read(volatile u8 *region0, WiHdr *out);
/* Writes the header exactly as SQLite's writer does: checksum, copy 1, fence, copy 0. */
void wr_hdr_write(volatile u8 *region0, WiHdr *h);

typedef int (*wr_shm_map_fn)(void *ctx, u32 iRegion, volatile u8 **pp);
/* Drops index entries for frames after mxFrame in the region that holds mxFrame
 * (leftovers of a transaction that never committed). */
int wr_index_cleanup(wr_shm_map_fn map, void *ctx, u32 mxFrame);
/* Records "frame iFrame holds page pgno": page-number entry first, then the hash slot.
 * mxFrame is the last committed frame; entries past it found on the way are cleaned up. */
int wr_index_append(wr_shm_map_fn map, void *ctx, u32 iFrame, u32 pgno, u32 mxFrame);

#endif
