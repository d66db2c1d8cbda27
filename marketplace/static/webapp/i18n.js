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
    photo: "拍照（可选）", wallet: "钱包", escrow_fen: "托管中", payable_fen: "待结算", paid_out_fen: "已打款",
    event_board: "抢单大厅有新订单", event_offer: "收到新派单", event_status: "状态已更新",
    statuses: {
      awaiting_payment: "待付款", open: "待接单", assigned: "已接单", materials_sent: "已发料",
      in_production: "生产中", delivered: "已交货", completed: "已完成", disputed: "有争议",
      cancelled: "已取消", expired: "已过期", withdrawn: "已撤回", pending: "待处理",
      accepted: "已接受", declined: "已拒绝", requires_payment: "待付款", succeeded: "已付款",
      failed: "付款失败",
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
    photo: "Photo (optional)", wallet: "Wallet", escrow_fen: "Held in escrow", payable_fen: "Earned, to be paid", paid_out_fen: "Paid out",
    event_board: "A new job on the board", event_offer: "A new offer", event_status: "Status updated",
    statuses: {
      awaiting_payment: "awaiting payment", open: "open", assigned: "assigned", materials_sent: "material sent",
      in_production: "in production", delivered: "delivered", completed: "completed", disputed: "disputed",
      cancelled: "cancelled", expired: "expired", withdrawn: "withdrawn", pending: "pending",
      accepted: "accepted", declined: "declined", requires_payment: "awaiting payment", succeeded: "paid",
      failed: "failed",
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
