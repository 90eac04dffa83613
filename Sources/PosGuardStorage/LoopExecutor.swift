import NIOCore

/// Runs tasks on one NIO event loop. Work that waits on a connection answering on that loop (SQLite's) runs
/// there too, so each answer resumes it at once instead of queueing behind every request the server is busy
/// with on Swift's shared threads.
final class LoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
