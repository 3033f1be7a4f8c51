//! The global allocator of the app's wasm binaries: dlmalloc, whose first segment begins where
//! the static data ends instead of in a page grown for it.
//!
//! A wasm module's linear memory starts out as many 64 KiB pages as its stack and static data
//! need (build.rs: the stack first, then the data), and the last of them is only partly used:
//! the first-load build's data ended at 208 KiB of 256, so 44 KiB of mapped, zeroed memory. The
//! dlmalloc crate's wasm system allocator only ever grows memory (`memory.grow`), so its first
//! segment started at the initial end and that tail was never used: the page held 7 pages after
//! its first scene (#/handshake, warm-up included), 3 of them grown for a heap that needed
//! between 128 and 172 KiB, and holds 6 with the tail used (0.459 -> 0.393 MB, every one of 5
//! cold loads; it stayed at 6 through a minute of playback and 200 knob changes, knobs.mjs's
//! memory part). [`Tail`] hands dlmalloc the tail as the start of its first segment and grows
//! only what the request lacks; later segments are grown pages right after it, which dlmalloc
//! joins to the first (contiguous segments are extended, dlmalloc's `sys_alloc`).
//!
//! `__heap_base` is where the linker (wasm-ld) says the heap may begin: past the stack and the
//! static data. Nothing else writes above it, so the tail is zero as dlmalloc expects of fresh
//! system memory (`allocates_zeros`).

/// Wasm pages are 64 KiB.
pub const PAGE: usize = 64 * 1024;

/// The first segment for a request of `size` bytes (a multiple of a page, as dlmalloc asks):
/// it starts at `heap_base` rounded up to dlmalloc's 16-byte alignment and runs on past the
/// memory's current end (`memory_end`, a page boundary) into the pages that must be grown for
/// it. Returned: the segment's start, its length, and how many pages to grow.
pub fn first_segment(heap_base: usize, memory_end: usize, size: usize) -> (usize, usize, usize) {
    let start = heap_base.next_multiple_of(16).min(memory_end);
    let tail = memory_end - start;
    let pages = size.saturating_sub(tail).div_ceil(PAGE);
    (start, tail + pages * PAGE, pages)
}

#[cfg(target_arch = "wasm32")]
pub use wasm::Heap;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32::{memory_grow, memory_size};
    use core::ptr::{self, addr_of_mut};
    use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

    use dlmalloc::{Allocator, Dlmalloc};

    use super::{first_segment, PAGE};

    // Without a lock: the app's wasm is single-threaded (as dlmalloc's own wasm global lock
    // assumes).
    #[cfg(target_feature = "atomics")]
    compile_error!("the heap has no lock: build the app without wasm threads");

    extern "C" {
        /// wasm-ld's symbol for the first address past the stack and the static data.
        static __heap_base: u8;
    }

    /// dlmalloc's system allocator: the initial memory's tail first, then grown pages.
    pub struct Tail {
        tail_given: AtomicBool,
    }

    /// Grows memory by `pages`; the old end in bytes, or `None` when the browser refuses.
    fn grow(pages: usize) -> Option<usize> {
        let prev = memory_grow(0, pages);
        (prev != usize::MAX).then(|| prev * PAGE)
    }

    // SAFETY: every segment handed out is memory no one else uses: the tail above
    // `__heap_base`, which the linker leaves to the heap, and pages just grown. Both are zero
    // (a module's memory starts zeroed, grown pages are zeroed), as `allocates_zeros` says.
    unsafe impl Allocator for Tail {
        fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
            let end = memory_size(0) * PAGE;
            if !self.tail_given.swap(true, Relaxed) {
                // Only the symbol's address is taken, never its byte read.
                let base = ptr::addr_of!(__heap_base) as usize;
                let (start, len, pages) = first_segment(base, end, size);
                if pages == 0 || grow(pages) == Some(end) {
                    return (start as *mut u8, len, 0);
                }
                return (ptr::null_mut(), 0, 0);
            }
            let pages = size.div_ceil(PAGE);
            match grow(pages) {
                Some(prev) => (prev as *mut u8, pages * PAGE, 0),
                None => (ptr::null_mut(), 0, 0),
            }
        }
        fn remap(&self, _: *mut u8, _: usize, _: usize, _: bool) -> *mut u8 {
            ptr::null_mut()
        }
        fn free_part(&self, _: *mut u8, _: usize, _: usize) -> bool {
            false
        }
        fn free(&self, _: *mut u8, _: usize) -> bool {
            false
        }
        fn can_release_part(&self, _: u32) -> bool {
            false
        }
        fn allocates_zeros(&self) -> bool {
            true
        }
        fn page_size(&self) -> usize {
            PAGE
        }
    }

    static mut DLMALLOC: Dlmalloc<Tail> = Dlmalloc::new_with_allocator(Tail {
        tail_given: AtomicBool::new(false),
    });

    /// The `#[global_allocator]` (src/lib.rs).
    pub struct Heap;

    // SAFETY: dlmalloc's own global allocator (dlmalloc's global.rs) with [`Tail`] for its
    // system allocator; single-threaded, so no lock (see the `compile_error!` above).
    unsafe impl GlobalAlloc for Heap {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            (*addr_of_mut!(DLMALLOC)).malloc(layout.size(), layout.align())
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            (*addr_of_mut!(DLMALLOC)).free(ptr, layout.size(), layout.align())
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            (*addr_of_mut!(DLMALLOC)).calloc(layout.size(), layout.align())
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            (*addr_of_mut!(DLMALLOC)).realloc(ptr, layout.size(), layout.align(), new_size)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_segment_starts_at_the_heap_base_and_grows_only_what_the_tail_lacks() {
        // Data ends at 208 KiB + 4 bytes of 256: the segment starts at the next 16-byte
        // boundary; a one-page request takes the 44 KiB tail and one grown page.
        let base = 208 * 1024 + 4;
        let (start, len, pages) = first_segment(base, 4 * PAGE, PAGE);
        assert_eq!(start, 208 * 1024 + 16);
        assert_eq!(pages, 1);
        assert_eq!(len, 5 * PAGE - start);
        // A request the tail holds grows nothing.
        let (start, len, pages) = first_segment(10, PAGE, 16);
        assert_eq!((start, len, pages), (16, PAGE - 16, 0));
        // A base on a page boundary (no tail): all of it grown, as dlmalloc's own allocator.
        assert_eq!(
            first_segment(4 * PAGE, 4 * PAGE, 2 * PAGE),
            (4 * PAGE, 2 * PAGE, 2)
        );
    }
}
