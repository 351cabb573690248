import socket,time,sys
socks=[]
def l(p,fam,typ,addr,port):
    s=socket.socket(fam,typ); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
    if fam==socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY,1)
    s.bind((addr,port))
    if typ==socket.SOCK_STREAM: s.listen(4)
    socks.append(s); return s
l(0,socket.AF_INET,socket.SOCK_STREAM,'0.0.0.0',22)
l(0,socket.AF_INET,socket.SOCK_STREAM,'192.168.1.1',53)
l(0,socket.AF_INET,socket.SOCK_DGRAM,'0.0.0.0',51820)
l(0,socket.AF_INET,socket.SOCK_DGRAM,'127.0.0.1',5353)
l(0,socket.AF_INET6,socket.SOCK_STREAM,'::',80)
srv=l(0,socket.AF_INET,socket.SOCK_STREAM,'192.168.1.1',8080)
c=socket.socket(); c.bind(('192.168.1.1',40000)); c.connect(('192.168.1.1',8080)); a,_=srv.accept(); socks+= [c,a]
u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.bind(('203.0.113.10',33000)); u.connect(('203.0.113.1',53)); socks.append(u)
sys.stdout.write('ready\n'); sys.stdout.flush()
time.sleep(float(sys.argv[1]))
