// Pull users and attendance from a ZK terminal (here: the kiosk) with node-zklib, the way an
// integrator's Node.js application does, and write what came back as JSON to the file argv[4].
//   node pull.js HOST PORT OUT.json
// Times are printed as node-zklib decoded them (wall clock, no zone); run with TZ=UTC so that a
// daylight-saving gap of the test machine's zone cannot shift them.
'use strict'
const fs = require('fs')
const ZKLib = require('node-zklib')

const pad = (n, w = 2) => String(n).padStart(w, '0')
const wallClock = (d) =>
  `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
  `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
const message = (err) => (err ? String(err.message || (err.err && err.err.message) || err) : null)

async function main () {
  const [host, port, out] = process.argv.slice(2)
  const zk = new ZKLib(host, Number(port), 10000, 0)
  const result = { users: [], attendance: [], usersError: null, attendanceError: null, seconds: {} }
  await zk.createSocket()
  let t = process.hrtime.bigint()
  const users = await zk.getUsers()
  result.seconds.users = Number(process.hrtime.bigint() - t) / 1e9
  result.users = users.data.map((u) => [u.uid, u.userId, u.name])
  result.usersError = message(users.err)
  t = process.hrtime.bigint()
  const logs = await zk.getAttendances()
  result.seconds.attendance = Number(process.hrtime.bigint() - t) / 1e9
  result.attendance = logs.data.map((r) => [r.userSn, r.deviceUserId, wallClock(r.recordTime)])
  result.attendanceError = message(logs.err)
  await zk.disconnect()
  fs.writeFileSync(out, JSON.stringify(result))
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error('node-zklib pull failed:', message(err))
    process.exit(2)
  }
)
