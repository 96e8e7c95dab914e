//! A re-ranking run: nothing is trained. Each test user's top-N candidates from the seed's
//! baseline (its selected model) are re-ranked at the run's θ and the lists are evaluated
//! like a trained run's; with a validation split, the validation users' candidates too, so
//! that θ can be chosen on validation like λ.

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::Instant;

use rayon::prelude::*;

use super::{RunError, StopFlag, SweepContext, send, spawn_worker};
use crate::config::{RunMethod, RunSpec};
use crate::data::PreparedSplit;
use crate::evaluate::{self, EvalContext};
use crate::events::{Candidates, Recommendations, RunEvent, RunOutcome, RunStatus, Selection};
use crate::metrics;
use crate::rerank::{self, UserContext};

/// Starts the re-ranking run `run` on its own thread, over `candidates` (the baseline of
/// `run.seed`, which `split` is the split of). Events as [`super::spawn_run`]'s.
pub fn spawn_rerank(
    ctx: Arc<SweepContext>,
    run: RunSpec,
    split: Arc<PreparedSplit>,
    candidates: Arc<Candidates>,
    events: Sender<RunEvent>,
    stop: Arc<StopFlag>,
) -> Result<JoinHandle<()>, RunError> {
    let id = run.id.clone();
    let threads = ctx.threads_per_run;
    spawn_worker(id, threads, events, move |events| {
        rerank_run(&ctx, &run, &split, &candidates, events, &stop)
    })
}

fn rerank_run(
    ctx: &SweepContext,
    run: &RunSpec,
    prepared: &PreparedSplit,
    candidates: &Candidates,
    events: &Sender<RunEvent>,
    stop: &StopFlag,
) -> Result<RunOutcome, RunError> {
    let started = Instant::now();
    let RunMethod::Rerank { method, theta } = run.method else {
        return Err(RunError::NotRerank(run.id.clone()));
    };
    send(
        events,
        RunEvent::Started {
            run_id: run.id.clone(),
            device: "host (re-ranking)".into(),
            epochs: 0,
            batches_per_epoch: 0,
            train_pairs: prepared.train_pairs(),
        },
    )?;
    if stop.is_set() {
        return Ok(RunOutcome::interrupted(0, started.elapsed().as_secs_f64()));
    }
    let exp = &*ctx.experiment;
    let split = &prepared.split;
    let eval_ctx = EvalContext {
        ks: &exp.eval.k,
        masked: super::masked(exp, &ctx.data),
        categories: &ctx.categories,
        train_counts: &prepared.train_counts,
        is_head: &prepared.is_head,
        train: &split.train,
    };
    let rerank_all = |lists: &Recommendations| rerank_lists(ctx, prepared, method, theta, lists);
    let test = evaluate::evaluate_lists(rerank_all(&candidates.test), &split.test, &eval_ctx);
    let validation = candidates.validation.as_ref().map(|lists| {
        evaluate::evaluate_lists(rerank_all(lists), &split.validation, &eval_ctx).means
    });
    Ok(RunOutcome {
        status: RunStatus::Finished,
        epochs_completed: 0,
        seconds: started.elapsed().as_secs_f64(),
        test: Some(test),
        validation,
        selection: Some(Selection {
            epoch: 0,
            metric: None,
            value: None,
            stopped_early: false,
            reason: "re-ranks its baseline's reported model".into(),
        }),
        candidates: None,
    })
}

/// Every user's top list of `candidates` re-ranked by `method` at `theta` (`eval.k`'s
/// longest), each item with its baseline score.
fn rerank_lists(
    ctx: &SweepContext,
    prepared: &PreparedSplit,
    method: crate::rerank::RerankMethod,
    theta: f64,
    candidates: &Recommendations,
) -> Recommendations {
    let split = &prepared.split;
    let categories = &*ctx.categories;
    let n_categories = categories.id_bound();
    let k_max = ctx.experiment.eval.k.iter().copied().max().unwrap_or(10);
    candidates
        .par_iter()
        .map(|(user, cands)| {
            let profile =
                metrics::category_profile(&split.train[*user as usize], categories, n_categories)
                    .unwrap_or_else(|| vec![0.0; n_categories]);
            let context = UserContext {
                categories,
                n_categories,
                profile: &profile,
            };
            let top = rerank::rerank(method, theta, cands, k_max, &context);
            let scored = top
                .into_iter()
                .map(|item| {
                    let score = cands
                        .iter()
                        .find(|(i, _)| *i == item)
                        .map_or(f32::NAN, |c| c.1);
                    (item, score)
                })
                .collect();
            (*user, scored)
        })
        .collect()
}
