//! How a kind of step is undone, said by the kind itself beside how it
//! runs (each step kind's `undo`), so that a new step cannot be added
//! without saying it. The job runner runs the undo a plan gives a step;
//! this says what that undo must be, and the plans' tests hold them to it.

/// How a step of kind `S` is undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo<S> {
    /// It changes nothing (a guard, a wait, a read): nothing to undo.
    Nothing,
    /// Undone by this step of the same kind, whatever was there before.
    By(S),
    /// What to put back is what was there before the job (a server's
    /// state, a node's availability), which only the plan that read it
    /// knows: the plan gives the undo. Why, for a reader.
    FromPlan(&'static str),
    /// Not undone, and why (past a point of no return, or it ends as it
    /// began, or it is an undo itself).
    Not(&'static str),
}
