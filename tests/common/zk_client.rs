//! A minimal ZooKeeper client (the jute wire protocol: connect, create,
//! setData), enough to write every 100 ms during a rolling restart and know
//! which writes the ensemble acknowledged.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const OP_CREATE: i32 = 1;
const OP_SET_DATA: i32 = 5;
const ERR_NODE_EXISTS: i32 = -110;
const WATCH_XID: i32 = -1;
const PING_XID: i32 = -2;

fn put_i32(b: &mut Vec<u8>, v: i32) {
    b.extend_from_slice(&v.to_be_bytes());
}

fn put_bytes(b: &mut Vec<u8>, data: &[u8]) {
    put_i32(b, data.len() as i32);
    b.extend_from_slice(data);
}

fn i32_at(b: &[u8], at: usize) -> std::io::Result<i32> {
    b.get(at..at + 4)
        .map(|s| i32::from_be_bytes(s.try_into().unwrap()))
        .ok_or_else(|| std::io::Error::other("short reply"))
}

pub struct ZkSession {
    stream: TcpStream,
    xid: i32,
}

impl ZkSession {
    pub fn connect(addr: SocketAddr, timeout: Duration) -> std::io::Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, timeout)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        let mut s = Self { stream, xid: 0 };
        let mut body = Vec::new();
        put_i32(&mut body, 0); // protocol version
        body.extend_from_slice(&0i64.to_be_bytes()); // last zxid seen
        put_i32(&mut body, 4000); // session timeout, ms
        body.extend_from_slice(&0i64.to_be_bytes()); // session id: new
        put_bytes(&mut body, &[0; 16]); // password
        body.push(0); // not read-only
        s.send(&body)?;
        let reply = s.receive()?;
        // A member that is not serving closes the connection or refuses
        // the session with a zero timeout.
        if i32_at(&reply, 4)? <= 0 {
            return Err(std::io::Error::other("session refused"));
        }
        Ok(s)
    }

    fn send(&mut self, body: &[u8]) -> std::io::Result<()> {
        let mut frame = Vec::with_capacity(body.len() + 4);
        put_bytes(&mut frame, body);
        self.stream.write_all(&frame)
    }

    fn receive(&mut self) -> std::io::Result<Vec<u8>> {
        let mut len = [0u8; 4];
        self.stream.read_exact(&mut len)?;
        let len = i32::from_be_bytes(len);
        if !(0..=1 << 20).contains(&len) {
            return Err(std::io::Error::other("bad frame length"));
        }
        let mut body = vec![0u8; len as usize];
        self.stream.read_exact(&mut body)?;
        Ok(body)
    }

    /// Send one request and return ZooKeeper's error code (0: done).
    fn request(&mut self, op: i32, payload: &[u8]) -> std::io::Result<i32> {
        self.xid += 1;
        let mut body = Vec::new();
        put_i32(&mut body, self.xid);
        put_i32(&mut body, op);
        body.extend_from_slice(payload);
        self.send(&body)?;
        loop {
            let reply = self.receive()?;
            match i32_at(&reply, 0)? {
                WATCH_XID | PING_XID => continue,
                xid if xid == self.xid => return i32_at(&reply, 12),
                other => return Err(std::io::Error::other(format!("reply to xid {other}"))),
            }
        }
    }

    pub fn create(&mut self, path: &str, data: &[u8]) -> std::io::Result<i32> {
        let mut p = Vec::new();
        put_bytes(&mut p, path.as_bytes());
        put_bytes(&mut p, data);
        put_i32(&mut p, 1); // one ACL: world:anyone, all permissions
        put_i32(&mut p, 31);
        put_bytes(&mut p, b"world");
        put_bytes(&mut p, b"anyone");
        put_i32(&mut p, 0); // persistent
        self.request(OP_CREATE, &p)
    }

    pub fn set_data(&mut self, path: &str, data: &[u8]) -> std::io::Result<i32> {
        let mut p = Vec::new();
        put_bytes(&mut p, path.as_bytes());
        put_bytes(&mut p, data);
        put_i32(&mut p, -1); // any version
        self.request(OP_SET_DATA, &p)
    }
}

/// What a writer saw: when each acknowledged write was answered.
#[derive(Debug, Default)]
pub struct WriteLog {
    pub started: Option<Instant>,
    pub acked: Vec<Instant>,
    pub attempts: usize,
    pub stopped: Option<Instant>,
}

impl WriteLog {
    /// Stretches without an acknowledged write longer than `over`.
    pub fn gaps_over(&self, over: Duration) -> Vec<Duration> {
        let mut times: Vec<Instant> = self.started.into_iter().collect();
        times.extend(&self.acked);
        times.extend(self.stopped);
        times
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|gap| *gap > over)
            .collect()
    }
}

/// Write to `/tugboat-writes` every `every` until `stop`, moving to the
/// next member whenever the current one fails a write or cannot be reached.
pub fn write_every(
    members: Vec<SocketAddr>,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> JoinHandle<WriteLog> {
    std::thread::spawn(move || {
        let mut log = WriteLog {
            started: Some(Instant::now()),
            ..Default::default()
        };
        let mut session: Option<ZkSession> = None;
        let mut next_member = 0;
        while !stop.load(Ordering::Relaxed) {
            let tick = Instant::now();
            if session.is_none() {
                let addr = members[next_member % members.len()];
                next_member += 1;
                session = ZkSession::connect(addr, Duration::from_secs(2))
                    .and_then(|mut s| match s.create("/tugboat-writes", b"0")? {
                        0 | ERR_NODE_EXISTS => Ok(s),
                        err => Err(std::io::Error::other(format!("create: {err}"))),
                    })
                    .ok();
            }
            if let Some(s) = session.as_mut() {
                log.attempts += 1;
                match s.set_data("/tugboat-writes", log.attempts.to_string().as_bytes()) {
                    Ok(0) => log.acked.push(Instant::now()),
                    _ => session = None,
                }
            }
            std::thread::sleep(every.saturating_sub(tick.elapsed()));
        }
        log.stopped = Some(Instant::now());
        log
    })
}
