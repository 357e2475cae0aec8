//! Instances seeded on demand, one at a time, on a thread of their own at the lowest priority
//! (`SCHED_BATCH`, nice 19): however many new keys arrive at once, seeding takes no worker and
//! at most one core, and yields that core to the requests of the instances that exist. A request
//! for a new key waits for its instance without holding an actix worker.

use std::panic::AssertUnwindSafe;

use thread_priority::{
    NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
    set_thread_priority_and_policy, thread_native_id,
};
use tokio::sync::{mpsc, oneshot};

/// How many seedings may wait for the seeding thread; more wait for room in the queue.
pub const SEEDING_QUEUE: usize = 1024;

type Job = Box<dyn FnOnce() + Send>;

/// The seeding thread, and the queue to it. The thread ends when the seeder is dropped.
#[derive(Debug)]
pub struct Seeder {
    jobs: mpsc::Sender<Job>,
}

impl Seeder {
    /// Starts the seeding thread.
    pub fn start() -> std::io::Result<Self> {
        let (jobs, mut queue) = mpsc::channel::<Job>(SEEDING_QUEUE);
        std::thread::Builder::new()
            .name("instance-seeder".to_owned())
            .spawn(move || {
                lower_priority();
                while let Some(job) = queue.blocking_recv() {
                    // A failed seeding answers its own request (its reply is dropped); the
                    // thread goes on with the next.
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                }
            })?;
        Ok(Self { jobs })
    }

    /// Runs `seed` on the seeding thread and waits for its result; `None` if it could not run.
    pub async fn run<T: Send + 'static>(
        &self,
        seed: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(seed());
        });
        self.jobs.send(job).await.ok()?;
        answer.await.ok()
    }
}

/// Puts the current thread below every other: a batch thread at nice 19. Where the system
/// refuses, seeding runs at normal priority, and says so once.
fn lower_priority() {
    let lowest = set_thread_priority_and_policy(
        thread_native_id(),
        ThreadPriority::Min,
        ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch),
    );
    if let Err(error) = lowest {
        tracing::warn!(?error, "instances are seeded at normal priority");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_one_after_another_and_a_panic_fails_only_its_own() {
        let seeder = Seeder::start().expect("the thread starts");
        assert_eq!(seeder.run(|| 1 + 1).await, Some(2));
        let panicked: Option<()> = seeder.run(|| panic!("a broken seeding")).await;
        assert_eq!(panicked, None);
        assert_eq!(seeder.run(|| "still here").await, Some("still here"));
    }
}
