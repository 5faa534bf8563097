//! Small-count suppression for every statistic the console shows or
//! exports. Pure: a table of counts in, the same table with cells hidden
//! out, before anything is rendered.
//!
//! Primary suppression hides every count from 1 to k-1 (zeros are shown:
//! "nobody" identifies nobody), in the cells and in the totals. Secondary
//! (complementary) suppression then makes sure no hidden count can be
//! worked out from what is shown: the table is taken with its totals as
//! one (rows+1) x (cols+1) grid in which every line adds up, and every
//! hidden cell is made a corner of a rectangle of hidden cells, so that
//! moving some amount around the rectangle keeps every shown number true.
//! The other corners are chosen to hide as little as possible (the
//! smallest counts, non-zero ones first: a hidden zero would pin a corner).
//! Hidden cells look the same whichever rule hid them.

/// k may be raised, never set below this.
pub const MIN_K: i64 = 5;
pub const DEFAULT_K: i64 = 11;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Shown(i64),
    Hidden,
}

impl Cell {
    pub fn shown(self) -> Option<i64> {
        match self {
            Cell::Shown(n) => Some(n),
            Cell::Hidden => None,
        }
    }
}

/// A protected table: cells, row totals, column totals and the grand total.
#[derive(Debug, Clone, PartialEq)]
pub struct Protected {
    pub cells: Vec<Vec<Cell>>,
    pub row_totals: Vec<Cell>,
    pub col_totals: Vec<Cell>,
    pub total: Cell,
}

/// Protects `counts` (rows of equal length; negative counts are treated as 0).
pub fn protect(counts: &[Vec<i64>], k: i64) -> Protected {
    let k = k.max(MIN_K);
    let r = counts.len();
    let c = counts.first().map_or(0, Vec::len);
    // The extended grid: row r holds column totals, column c row totals.
    let mut e = vec![vec![0i64; c + 1]; r + 1];
    for i in 0..r {
        for j in 0..c {
            let v = counts[i].get(j).copied().unwrap_or(0).max(0);
            e[i][j] = v;
            e[i][c] += v;
            e[r][j] += v;
            e[r][c] += v;
        }
    }
    let mut hidden: Vec<Vec<bool>> = e.iter().map(|row| row.iter().map(|&v| v > 0 && v < k).collect()).collect();
    // A cell hidden in a grid with a single row or column is tied to its total
    // (the same number): the rectangle rule below covers that too.
    loop {
        let mut changed = false;
        for i in 0..=r {
            for j in 0..=c {
                if !hidden[i][j] || in_hidden_rectangle(&hidden, i, j) {
                    continue;
                }
                let (i2, j2) = best_partner(&e, &hidden, i, j);
                for (a, b) in [(i, j2), (i2, j), (i2, j2)] {
                    if !hidden[a][b] {
                        hidden[a][b] = true;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    let cell = |i: usize, j: usize| if hidden[i][j] { Cell::Hidden } else { Cell::Shown(e[i][j]) };
    Protected {
        cells: (0..r).map(|i| (0..c).map(|j| cell(i, j)).collect()).collect(),
        row_totals: (0..r).map(|i| cell(i, c)).collect(),
        col_totals: (0..c).map(|j| cell(r, j)).collect(),
        total: cell(r, c),
    }
}

fn in_hidden_rectangle(h: &[Vec<bool>], i: usize, j: usize) -> bool {
    let (rows, cols) = (h.len(), h[0].len());
    (0..rows).any(|i2| i2 != i && h[i2][j] && (0..cols).any(|j2| j2 != j && h[i][j2] && h[i2][j2]))
}

/// The other corners of the cheapest rectangle through (i, j): already
/// hidden cells cost nothing, a non-zero count costs itself, a zero costs
/// more than any count (it would let the rectangle be pinned).
fn best_partner(e: &[Vec<i64>], h: &[Vec<bool>], i: usize, j: usize) -> (usize, usize) {
    let (rows, cols) = (e.len(), e[0].len());
    let big = e[rows - 1][cols - 1] + 1;
    let cost = |a: usize, b: usize| -> i64 {
        if h[a][b] {
            0
        } else if e[a][b] == 0 {
            big
        } else {
            e[a][b]
        }
    };
    let mut best = (i64::MAX, (0, 0));
    for i2 in (0..rows).filter(|&x| x != i) {
        for j2 in (0..cols).filter(|&x| x != j) {
            let total = cost(i, j2) + cost(i2, j) + cost(i2, j2);
            if total < best.0 {
                best = (total, (i2, j2));
            }
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whether the value of hidden cell `target` follows from the shown
    /// numbers by the table's sums alone: it does exactly when the unit
    /// vector of that cell lies in the span of the line equations
    /// restricted to hidden cells (Gaussian elimination over the rationals,
    /// in f64 on these small grids).
    fn determined(p: &Protected, target: (usize, usize)) -> bool {
        let r = p.cells.len();
        let c = p.cells[0].len();
        let grid = |i: usize, j: usize| -> Cell {
            match (i == r, j == c) {
                (false, false) => p.cells[i][j],
                (false, true) => p.row_totals[i],
                (true, false) => p.col_totals[j],
                (true, true) => p.total,
            }
        };
        let unknowns: Vec<(usize, usize)> =
            (0..=r).flat_map(|i| (0..=c).map(move |j| (i, j))).filter(|&(i, j)| grid(i, j) == Cell::Hidden).collect();
        let idx = |cell: (usize, usize)| unknowns.iter().position(|&u| u == cell);
        let mut rows: Vec<Vec<f64>> = Vec::new();
        // Each row of the grid: its cells minus its total; each column likewise.
        for i in 0..=r {
            let mut eq = vec![0.0; unknowns.len()];
            for j in 0..=c {
                if let Some(x) = idx((i, j)) {
                    eq[x] += if j == c { -1.0 } else { 1.0 };
                }
            }
            rows.push(eq);
        }
        for j in 0..=c {
            let mut eq = vec![0.0; unknowns.len()];
            for i in 0..=r {
                if let Some(x) = idx((i, j)) {
                    eq[x] += if i == r { -1.0 } else { 1.0 };
                }
            }
            rows.push(eq);
        }
        let rank = |m: &[Vec<f64>]| -> usize {
            let mut m = m.to_vec();
            let cols = m.first().map_or(0, Vec::len);
            let mut rank = 0;
            for col in 0..cols {
                let Some(p) = (rank..m.len()).find(|&x| m[x][col].abs() > 1e-9) else { continue };
                m.swap(rank, p);
                for x in 0..m.len() {
                    if x != rank && m[x][col].abs() > 1e-9 {
                        let f = m[x][col] / m[rank][col];
                        let pivot = m[rank].clone();
                        for (v, p) in m[x].iter_mut().zip(&pivot) {
                            *v -= f * p;
                        }
                    }
                }
                rank += 1;
            }
            rank
        };
        let base = rank(&rows);
        let mut with = rows.clone();
        let mut unit = vec![0.0; unknowns.len()];
        unit[idx(target).expect("target is hidden")] = 1.0;
        with.push(unit);
        rank(&with) == base
    }

    fn grids() -> impl Strategy<Value = Vec<Vec<i64>>> {
        (1usize..6, 1usize..6).prop_flat_map(|(r, c)| {
            proptest::collection::vec(proptest::collection::vec(prop_oneof![Just(0i64), 1i64..15, 10i64..200], c), r)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// No shown number, cell or total, is between 1 and k-1.
        #[test]
        fn no_small_count_is_ever_shown(counts in grids(), k in 5i64..20) {
            let p = protect(&counts, k);
            let shown = p.cells.iter().flatten().chain(&p.row_totals).chain(&p.col_totals).chain([&p.total]);
            for cell in shown {
                if let Cell::Shown(n) = cell {
                    prop_assert!(*n == 0 || *n >= k, "{n} shown with k = {k}");
                }
            }
        }

        /// What is shown is the truth: shown cells and totals equal the counts.
        #[test]
        fn shown_numbers_are_the_real_ones(counts in grids()) {
            let p = protect(&counts, 11);
            for (i, row) in counts.iter().enumerate() {
                for (j, v) in row.iter().enumerate() {
                    if let Cell::Shown(n) = p.cells[i][j] { prop_assert_eq!(n, *v); }
                }
                if let Cell::Shown(n) = p.row_totals[i] { prop_assert_eq!(n, row.iter().sum::<i64>()); }
            }
            if let Cell::Shown(n) = p.total { prop_assert_eq!(n, counts.iter().flatten().sum::<i64>()); }
        }

        /// Complementary suppression: no hidden cell follows from the
        /// shown cells and totals by the table's sums.
        #[test]
        fn no_hidden_cell_can_be_worked_out_from_the_totals(counts in grids(), k in 5i64..20) {
            let p = protect(&counts, k);
            let r = p.cells.len();
            let c = p.cells[0].len();
            for i in 0..=r {
                for j in 0..=c {
                    let hidden = match (i == r, j == c) {
                        (false, false) => p.cells[i][j],
                        (false, true) => p.row_totals[i],
                        (true, false) => p.col_totals[j],
                        (true, true) => p.total,
                    } == Cell::Hidden;
                    if hidden {
                        prop_assert!(!determined(&p, (i, j)), "cell ({i},{j}) of {counts:?} is determined: {p:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_lone_small_cell_takes_a_partner_in_its_row_and_column() {
        let p = protect(&[vec![3, 40, 50], vec![20, 30, 60]], 11);
        assert_eq!(p.cells[0][0], Cell::Hidden);
        let hidden_in_row0 = p.cells[0].iter().filter(|c| **c == Cell::Hidden).count();
        let hidden_in_col0 = p.cells.iter().filter(|r| r[0] == Cell::Hidden).count();
        assert!(hidden_in_row0 >= 2 || p.row_totals[0] == Cell::Hidden);
        assert!(hidden_in_col0 >= 2 || p.col_totals[0] == Cell::Hidden);
        // The cheapest rectangle: 3, 20, 40, 30 rather than anything with 50 or 60.
        assert_eq!(p.cells[1][0], Cell::Hidden);
        assert_eq!(p.cells[0][1], Cell::Hidden);
        assert_eq!(p.cells[1][1], Cell::Hidden);
        assert_eq!(p.cells[0][2], Cell::Shown(50));
        assert_eq!(p.total, Cell::Shown(203));
    }

    #[test]
    fn nothing_is_hidden_when_every_count_is_large_or_zero() {
        let p = protect(&[vec![0, 40], vec![20, 0]], 11);
        assert!(p.cells.iter().flatten().all(|c| matches!(c, Cell::Shown(_))));
        assert_eq!(p.total, Cell::Shown(60));
    }

    #[test]
    fn k_below_five_is_raised_to_five() {
        let p = protect(&[vec![4, 100], vec![100, 100]], 2);
        assert_eq!(p.cells[0][0], Cell::Hidden);
    }
}
