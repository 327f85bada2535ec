//! The life of a Borg task (Google 2011 and 2019 event tables), as one pod.
//!
//! A task is submitted, scheduled, and ends (finishes, fails, is killed or lost), possibly after
//! evictions and resubmissions. Evictions are the simulated scheduler's business, so an evicted
//! task stays one pod: its submit time is the first submission, and its run time is the run that
//! ended it (an evicted run's work was lost). A task submitted again after it ended (Borg
//! retries failed tasks) is a new pod; pod names carry the submit time so they stay unique
//! without remembering every task ever seen. The requests are the last ones given before the
//! pod is written (Borg may update them).
//!
//! Memory: one entry per task alive at once.

use std::collections::HashMap;
use std::io::{self, Write};

use super::Options;
use super::sink::{Pod, Sink};
use super::source::Problem;

/// What an event does to a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Submit,
    Schedule,
    Evict,
    Finish,
    Fail,
    Kill,
    Lost,
    /// Requests or priority changed.
    Update,
    /// Nothing this converter models (Borg 2019's QUEUE and ENABLE).
    Ignore,
}

/// What a row says beyond its event.
pub struct Change {
    /// ms, or `None` for an event after the end of the trace.
    pub time: Option<u64>,
    pub cpu: Option<f64>,
    pub memory: Option<f64>,
    pub priority: Option<i32>,
}

struct Task {
    submit: u64,
    start: Option<u64>,
    cpu: Option<f64>,
    memory: Option<f64>,
    priority: Option<i32>,
}

impl Task {
    fn new(submit: u64) -> Self {
        Task {
            submit,
            start: None,
            cpu: None,
            memory: None,
            priority: None,
        }
    }
}

/// The tasks alive now, keyed by (job or collection id, task index).
#[derive(Default)]
pub struct Tasks {
    open: HashMap<(u64, u64), Task>,
}

impl Tasks {
    pub fn apply<W: Write>(
        &mut self,
        key: (u64, u64),
        event: Event,
        change: Change,
        options: &Options,
        sink: &mut Sink<W>,
    ) -> Result<(), Problem> {
        let update = |task: &mut Task| {
            if change.cpu.is_some() {
                task.cpu = change.cpu;
            }
            if change.memory.is_some() {
                task.memory = change.memory;
            }
            if change.priority.is_some() {
                task.priority = change.priority;
            }
        };
        match event {
            Event::Ignore => Ok(()),
            Event::Submit => {
                let Some(time) = change.time else {
                    return Ok(());
                };
                let task = self.open.entry(key).or_insert_with(|| Task::new(time));
                task.start = None;
                update(task);
                Ok(())
            }
            Event::Schedule => {
                let Some(time) = change.time else {
                    return Ok(());
                };
                let task = self.open.entry(key).or_insert_with(|| Task::new(time));
                task.start = Some(time);
                update(task);
                Ok(())
            }
            Event::Evict => {
                if let Some(task) = self.open.get_mut(&key) {
                    task.start = None;
                    update(task);
                }
                Ok(())
            }
            Event::Update => {
                if let Some(task) = self.open.get_mut(&key) {
                    update(task);
                }
                Ok(())
            }
            Event::Finish | Event::Fail | Event::Kill | Event::Lost => {
                let Some(mut task) = self.open.remove(&key) else {
                    sink.leave_out("ended without a submit event in the input");
                    return Ok(());
                };
                update(&mut task);
                if task.start.is_none() {
                    sink.leave_out(match event {
                        Event::Finish => "finished without a schedule event in the input",
                        Event::Fail => "failed before it ran",
                        Event::Kill => "killed before it ran",
                        _ => "lost before it ran",
                    });
                    return Ok(());
                }
                if let (Some(start), Some(end)) = (task.start, change.time)
                    && end < start
                {
                    sink.leave_out("ended before they started (events out of time order)");
                    return Ok(());
                }
                write(key, &task, change.time, options, sink)
            }
        }
    }

    /// Writes the tasks still running at the end of the input (without a duration: they run to
    /// the end of the simulation), in key order; counts those still pending.
    pub fn finish<W: Write>(self, options: &Options, sink: &mut Sink<W>) -> io::Result<()> {
        let mut open: Vec<((u64, u64), Task)> = self.open.into_iter().collect();
        open.sort_unstable_by_key(|(k, _)| *k);
        for (key, task) in open {
            if task.start.is_none() {
                sink.leave_out("still pending at the end of the input");
                continue;
            }
            match write(key, &task, None, options, sink) {
                Ok(()) => sink.change("still running at the end of the input: no duration"),
                Err(Problem::Output(e)) => return Err(e),
                Err(_) => sink.leave_out("requests over the simulator's limits"),
            }
        }
        Ok(())
    }
}

fn write<W: Write>(
    key: (u64, u64),
    task: &Task,
    end: Option<u64>,
    options: &Options,
    sink: &mut Sink<W>,
) -> Result<(), Problem> {
    let (Some(cpu), Some(memory)) = (task.cpu, task.memory) else {
        sink.leave_out("no resource request in the trace");
        return Ok(());
    };
    let pod = Pod {
        name: format!("{}-{}-{}", key.0, key.1, task.submit),
        namespace: None,
        submit: task.submit,
        start: task.start,
        end,
        cpu_m: options.scaled_cpu(cpu),
        memory: options.scaled_memory(memory),
        gpu_milli: 0,
        priority: task.priority,
        changed: vec![],
    };
    sink.push(&pod)
}
