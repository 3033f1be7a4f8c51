//! Which elements of two runs correspond: a longest common subsequence, so that one extra
//! or missing segment is one difference and not a cascade of shifted rows. Used by the
//! model's differential ([`crate::diff`]) and the web app's recorded-vs-model view.

/// One step of an alignment: a pair, or an element only on one side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Both(usize, usize),
    Left(usize),
    Right(usize),
}

/// Longest-common-subsequence alignment of two lists (O(n·m), fine for the few hundred
/// segments of a case). Where the LCS leaves a run of unmatched elements on both sides, they
/// are listed left first, then right, so an extra segment shows as one row.
pub fn align<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Step> {
    let (n, m) = (a.len(), b.len());
    // lcs[i * w + j]: LCS length of a[i..] and b[j..] (one flat table: one allocation).
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(Step::Both(i, j));
            i += 1;
            j += 1;
        } else if j >= m || (i < n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
            out.push(Step::Left(i));
            i += 1;
        } else {
            out.push(Step::Right(j));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_extra_element_is_one_step_not_a_cascade() {
        let a = ["S", "S.", ".", "P.", "F."];
        let b = ["S", "S.", "P.", "F."];
        assert_eq!(
            align(&a, &b),
            [
                Step::Both(0, 0),
                Step::Both(1, 1),
                Step::Left(2),
                Step::Both(3, 2),
                Step::Both(4, 3)
            ]
        );
        assert_eq!(align::<u8>(&[], &[1]), [Step::Right(0)]);
    }
}
