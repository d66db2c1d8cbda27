// Every text the app shows, Chinese first, English second: one dictionary.
const STRINGS = {
  zh: {
    title: "共享工厂", lang_other: "EN", logout: "退出", loading: "加载中…",
    login: "登录", username: "用户名", password: "密码",
    signup: "注册", company_name: "企业名称", kind: "企业类型", kind_sme: "中小企业（发单）", kind_factory: "共享工厂（接单）", address: "地址",
    lat: "纬度", lng: "经度", use_location: "使用当前位置", no_location: "无法获取位置，请手动填写。",
    set_location: "交接地点", location_why: "工厂按这个位置计算距离，发单前请先设置。", save: "保存",
    offline: "离线：显示的是上次的数据，操作暂不可用。", offline_action: "当前离线，恢复网络后再试。",
    network_error: "网络错误，请稍后再试。",
    sme_home: "发单", my_jobs: "我的订单", post_job: "发布订单", process: "工序", quantity: "数量",
    deadline: "交货期限", mode: "接单方式", mode_grab: "抢单", mode_dispatch: "派单",
    get_quote: "获取报价", quote: "报价", unit_price: "单价", total: "合计", urgency: "加急附加费",
    post_and_pay: "发布并付款", pay: "去付款", job: "订单", no_jobs: "还没有订单。",
    materials_sent: "已发料", accept_delivery: "验收", required: "必填",
    factory_home: "工厂", online: "在线接单", offline_state: "已下线", go_online: "上线", go_offline: "下线",
    board: "抢单大厅", offers: "派单", shares: "我的任务", accept: "接单", decline: "拒绝",
    no_board: "暂无可抢订单。", no_offers: "暂无派单。", no_shares: "暂无任务。",
    distance: "距离", expires: "剩余", received: "确认收料", deliver: "交货",
    accepted_toast: "已接单", done_toast: "已完成", live: "实时", reconnecting: "重新连接中…",
    photo: "拍照（可选）", wallet: "钱包", escrow_fen: "托管中", payable_fen: "待结算", in_transit_fen: "转账中", paid_out_fen: "已打款",
    event_board: "抢单大厅有新订单", event_offer: "收到新派单", event_status: "状态已更新",
    quantity_received: "收到数量", quantity_done: "已完成数量", progress: "进度", report_progress: "更新进度",
    quantity_delivered: "交货数量", quantity_lost: "工艺损耗（件）", leftover: "剩余物料", leftover_return: "退回客户", leftover_write_off: "报废",
    rework: "返工后重新交货", inspection: "验货", sample: "抽样", full_inspection: "全检",
    severity_normal: "正常检验", severity_tightened: "加严检验", severity_reduced: "放宽检验",
    class_critical: "致命", class_major: "严重", class_minor: "轻微",
    sample_inspected: "实际抽检数量", on_reject: "不合格时", on_reject_rework: "返工", on_reject_dispute: "申请仲裁",
    note: "备注", record_inspection: "提交验货结果", lot_accepted: "批次合格", lot_rejected: "批次不合格",
    photo_material_received: "收料照片", photo_delivery: "交货照片", photo_inspection: "验货照片", photo_dispute: "争议照片",
    quantity_accepted: "验收数量", rating: "评分", dispute_reason: "争议原因", dispute: "提出争议",
    tab_work: "接单", tab_wallet: "钱包", tab_capacity: "产能", settlements: "结算批次", no_settlements: "暂无结算批次。",
    batch: "批次", share: "任务", paid_at: "打款于", confirm_by: "请在此前确认：", confirm_in_wechat: "请在微信中确认收款，然后点下方按钮。",
    confirm_transfer: "在微信中确认收款", confirmed_check: "已在微信确认，查询到账", payout_paid: "已到账", payout_pending: "尚未到账，稍后再查。",
    capacity: "产能与工艺", service_radius_km: "服务半径（公里）", unit_price_yuan: "单价（元/件）", daily_capacity: "日产能（件）",
    min_quantity: "起订量（件）", lead_time_days: "准备天数", add_capability: "新增工艺", add: "添加", delete: "删除", saved: "已保存", quality: "质量（验货记录）", first_pass: "一次合格率", discontinued: "已暂停检验",
    locating: "正在定位…", located: "已定位", metres: "米", location_denied: "未允许使用位置，请在浏览器设置中允许，或手动填写。", both_coordinates: "请同时填写纬度和经度。",
    cancel_job: "取消订单", cancel_confirm: "确认取消？再点一次", cancelled_toast: "订单已取消",
    tab_jobs: "订单", tab_money: "账单", tab_place: "地点", money: "资金", history: "历史订单", no_history: "还没有已结束的订单。",
    money_why: "付款先进入平台托管，验收后付给工厂，未验收的部分和取消的订单退回给您。",
    sme_paid_fen: "已付入托管", sme_escrow_fen: "托管中", sme_released_fen: "已付给工厂（验收后）", sme_refunded_fen: "应退款", sme_refunds_sent_fen: "已退回到账",
    paid: "已付", refunded: "已退", jobs_live: "进行中", jobs_completed: "已完成", jobs_disputed: "有争议", jobs_closed: "已取消/过期", jobs_unpaid: "待付款",
    factory_place: "工厂位置", factory_place_why: "到订单的距离从这里算起。",
    wechat_scan: "用微信扫一扫支付", wechat_qr_alt: "微信支付二维码", wechat_waiting: "付款成功后，订单会在这里自动变为待接单。",
    wechat_inside: "微信内置浏览器中不能直接付款：请用微信“扫一扫”扫描此码（例如在另一台设备上打开本页）。", wechat_below: "请用微信扫描下方订单中的二维码付款。",
    refresh: "刷新", refreshing: "正在刷新…", pull_more: "继续下拉刷新", pull_release: "松开即可刷新",
    statuses: {
      awaiting_payment: "待付款", open: "待接单", assigned: "已接单", materials_sent: "已发料",
      in_production: "生产中", delivered: "已交货", completed: "已完成", disputed: "有争议",
      cancelled: "已取消", expired: "已过期", withdrawn: "已撤回", pending: "待处理",
      accepted: "已接受", declined: "已拒绝", requires_payment: "待付款", succeeded: "已付款",
      failed: "付款失败", pending_review: "审核中", approved: "已批准", paying: "打款中", paid: "已打款", rejected: "已驳回",
      unsent: "待发送", sending: "发送中", awaiting_confirmation: "待确认收款", returned: "已退回",
    },
  },
  en: {
    title: "Shared factory", lang_other: "中文", logout: "Log out", loading: "Loading…",
    login: "Log in", username: "Username", password: "Password",
    signup: "Sign up", company_name: "Company name", kind: "Company type", kind_sme: "SME (posts jobs)", kind_factory: "Shared factory (takes jobs)", address: "Address",
    lat: "Latitude", lng: "Longitude", use_location: "Use my location", no_location: "No position from the phone; type it in.",
    set_location: "Hand-over place", location_why: "Factories see their distance to it; set it before posting.", save: "Save",
    offline: "Offline: showing the last data; actions wait until you are back online.",
    offline_action: "You are offline; try again once the network is back.",
    network_error: "Network error, please try again.",
    sme_home: "Post", my_jobs: "My jobs", post_job: "Post a job", process: "Process", quantity: "Quantity",
    deadline: "Deadline", mode: "Matching", mode_grab: "Grab board", mode_dispatch: "Dispatch",
    get_quote: "Get a quote", quote: "Quote", unit_price: "Unit price", total: "Total", urgency: "Urgency surcharge",
    post_and_pay: "Post and pay", pay: "Pay now", job: "Job", no_jobs: "No jobs yet.",
    materials_sent: "Material sent", accept_delivery: "Accept delivery", required: "required",
    factory_home: "Factory", online: "Taking work", offline_state: "Offline", go_online: "Go online", go_offline: "Go offline",
    board: "Grab board", offers: "Offers", shares: "My shares", accept: "Accept", decline: "Decline",
    no_board: "Nothing on the board.", no_offers: "No offers.", no_shares: "No shares yet.",
    distance: "Distance", expires: "Expires in", received: "Material received", deliver: "Deliver",
    accepted_toast: "Accepted", done_toast: "Done", live: "Live", reconnecting: "Reconnecting…",
    photo: "Photo (optional)", wallet: "Wallet", escrow_fen: "Held in escrow", payable_fen: "Earned, to be paid", in_transit_fen: "On its way", paid_out_fen: "Paid out",
    event_board: "A new job on the board", event_offer: "A new offer", event_status: "Status updated",
    quantity_received: "Quantity received", quantity_done: "Pieces done", progress: "Progress", report_progress: "Report progress",
    quantity_delivered: "Quantity delivered", quantity_lost: "Process loss (pieces)", leftover: "Leftover material", leftover_return: "Return to the customer", leftover_write_off: "Write off",
    rework: "Reworked lot, delivered again", inspection: "Inspection", sample: "Sample", full_inspection: "inspect every piece",
    severity_normal: "normal inspection", severity_tightened: "tightened inspection", severity_reduced: "reduced inspection",
    class_critical: "Critical", class_major: "Major", class_minor: "Minor",
    sample_inspected: "Pieces inspected", on_reject: "If the lot fails", on_reject_rework: "Send back for rework", on_reject_dispute: "Dispute",
    note: "Note", record_inspection: "Record the inspection", lot_accepted: "Lot accepted", lot_rejected: "Lot rejected",
    photo_material_received: "Material received", photo_delivery: "Delivery", photo_inspection: "Inspection", photo_dispute: "Dispute",
    quantity_accepted: "Quantity accepted", rating: "Rating", dispute_reason: "Reason for the dispute", dispute: "Dispute",
    tab_work: "Work", tab_wallet: "Wallet", tab_capacity: "Capacity", settlements: "Settlement batches", no_settlements: "No settlement batches yet.",
    batch: "Batch", share: "Share", paid_at: "paid", confirm_by: "confirm by", confirm_in_wechat: "Confirm the transfer in WeChat, then tap below.",
    confirm_transfer: "Confirm in WeChat", confirmed_check: "Confirmed in WeChat: check now", payout_paid: "Received", payout_pending: "Not received yet; check again later.",
    capacity: "Capacity and processes", service_radius_km: "Service radius (km)", unit_price_yuan: "Unit price (yuan/piece)", daily_capacity: "Daily capacity (pieces)",
    min_quantity: "Minimum order (pieces)", lead_time_days: "Lead time (days)", add_capability: "Add a process", add: "Add", delete: "Delete", saved: "Saved", quality: "Quality (inspected lots)", first_pass: "First pass", discontinued: "inspection discontinued",
    locating: "Finding your position…", located: "Position found", metres: "m", location_denied: "Location not allowed: allow it in the browser's settings, or type it in.", both_coordinates: "Give both the latitude and the longitude.",
    cancel_job: "Cancel the job", cancel_confirm: "Cancel it? Tap again", cancelled_toast: "Job cancelled",
    tab_jobs: "Jobs", tab_money: "Money", tab_place: "Place", money: "Money", history: "Past jobs", no_history: "No finished jobs yet.",
    money_why: "Payments are held in escrow, paid to the factory on acceptance; what is not accepted and cancelled jobs come back to you.",
    sme_paid_fen: "Paid into escrow", sme_escrow_fen: "Held in escrow", sme_released_fen: "Paid to factories (accepted)", sme_refunded_fen: "Refunds owed to you", sme_refunds_sent_fen: "Refunds received",
    paid: "paid", refunded: "refunded", jobs_live: "In progress", jobs_completed: "Completed", jobs_disputed: "Disputed", jobs_closed: "Cancelled/expired", jobs_unpaid: "Awaiting payment",
    factory_place: "Factory location", factory_place_why: "Distances to jobs are measured from here.",
    wechat_scan: "Scan with WeChat to pay", wechat_qr_alt: "WeChat Pay QR code", wechat_waiting: "Once paid, the job opens here by itself.",
    wechat_inside: "WeChat's own browser cannot start the payment here: scan this code with WeChat's Scan (for instance from this page opened on another device).", wechat_below: "Scan the QR code on the job below with WeChat to pay.",
    refresh: "Refresh", refreshing: "Refreshing…", pull_more: "Pull further to refresh", pull_release: "Release to refresh",
    statuses: {
      awaiting_payment: "awaiting payment", open: "open", assigned: "assigned", materials_sent: "material sent",
      in_production: "in production", delivered: "delivered", completed: "completed", disputed: "disputed",
      cancelled: "cancelled", expired: "expired", withdrawn: "withdrawn", pending: "pending",
      accepted: "accepted", declined: "declined", requires_payment: "awaiting payment", succeeded: "paid",
      failed: "failed", pending_review: "under review", approved: "approved", paying: "paying", paid: "paid", rejected: "rejected",
      unsent: "not sent", sending: "sending", awaiting_confirmation: "confirm in WeChat", returned: "returned",
    },
  },
};

export function lang() {
  return localStorage.getItem("lang") === "en" ? "en" : "zh";
}

export function setLang(value) {
  localStorage.setItem("lang", value);
  document.documentElement.lang = value === "en" ? "en" : "zh-Hans";
}

export function t(key) {
  return STRINGS[lang()][key] ?? key;
}

export function statusLabel(code) {
  return STRINGS[lang()].statuses[code] ?? code;
}

// What the API's Accept-Language is for the chosen language.
export function acceptLanguage() {
  return lang() === "en" ? "en" : "zh-hans";
}

export function yuan(fen) {
  return `¥${(fen / 100).toFixed(2)}`;
}
